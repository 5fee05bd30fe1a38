import type { ReactNode } from 'react';

export type Tone = 'info' | 'success' | 'warning' | 'danger';

export interface BannerProps {
  tone: Tone;
  title: ReactNode;
  children?: ReactNode;
  /** Buttons or links shown on the right (below on narrow screens). */
  actions?: ReactNode;
  /** 'alert' for things that just went wrong; 'status' for standing conditions. */
  role?: 'alert' | 'status';
  testId?: string;
}

const ICONS: Record<Tone, string> = { info: 'i', success: '✓', warning: '!', danger: '!' };

/** A full-width message strip: what happened, what it means, what to do. */
export function Banner({ tone, title, children, actions, role = 'status', testId }: BannerProps) {
  return (
    <div className={`banner banner--${tone}`} role={role} data-testid={testId}>
      <span className="banner__icon" aria-hidden="true">
        {ICONS[tone]}
      </span>
      <div className="banner__body">
        <p className="banner__title">{title}</p>
        {children && <div className="banner__text">{children}</div>}
      </div>
      {actions && <div className="banner__actions">{actions}</div>}
    </div>
  );
}
