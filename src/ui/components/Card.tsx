import type { ReactNode } from 'react';

export interface CardProps {
  title: ReactNode;
  /** Small text beside the title. */
  aside?: ReactNode;
  children: ReactNode;
  testId?: string;
}

/** A bordered panel with a heading (h3: pages own the h2). */
export function Card({ title, aside, children, testId }: CardProps) {
  return (
    <section className="card" data-testid={testId}>
      <header className="card__header">
        <h3 className="card__title">{title}</h3>
        {aside && <div className="card__aside">{aside}</div>}
      </header>
      <div className="card__body">{children}</div>
    </section>
  );
}
