import { useEffect, type MouseEvent, type ReactNode } from 'react';
import { ModelSection } from './model/ModelSection';
import { useAutoloadBuiltin } from './model/autoload';
import { DatasetSection } from './dataset/DatasetSection';
import { TrainSection } from './train/TrainSection';
import { ExportSection } from './export/ExportSection';
import { ClassroomSection } from './classroom/ClassroomSection';
import { PlaygroundPage } from './playground/PlaygroundPage';
import { EvaluatePage } from './evaluate/EvaluatePage';
import { Header } from './shell/Header';
import { Nav } from './shell/Nav';
import { GpuBanners } from './shell/GpuBanners';
import { GpuGate } from './shell/GpuGate';
import { DevicePage } from './shell/DevicePage';
import { NotFound } from './shell/NotFound';
import { SectionBoundary } from './shell/SectionBoundary';
import { CrashProbe, disarmCrash } from './shell/crashProbe';
import { useHashRoute } from './shell/useHashRoute';
import type { RouteId } from './shell/routes';

const PAGES: Record<RouteId, () => ReactNode> = {
  model: () => <ModelSection />,
  dataset: () => <DatasetSection />,
  train: () => <TrainSection />,
  playground: () => <PlaygroundPage />,
  classroom: () => <ClassroomSection />,
  evaluate: () => <EvaluatePage />,
  export: () => <ExportSection />,
  device: () => <DevicePage />,
};

/** The hash is our router, so the skip link moves focus itself instead of navigating to #main. */
function skipToContent(e: MouseEvent<HTMLAnchorElement>) {
  e.preventDefault();
  document.getElementById('main')?.focus();
}

/** The studio shell: header, section navigation, GPU banners and the open section inside its error boundary. */
export function App() {
  const route = useHashRoute();
  const routeId = route === 'not-found' ? null : route.id;
  useAutoloadBuiltin();

  useEffect(() => {
    document.title = route === 'not-found' ? 'Not found · Fine-Tuning Studio' : `${route.label} · Fine-Tuning Studio`;
  }, [route]);

  let page: ReactNode;
  if (route === 'not-found') page = <NotFound />;
  else {
    const content = PAGES[route.id]();
    page = (
      <div className="section-host" data-testid={`page-${route.id}`} key={route.id}>
        <SectionBoundary name={route.label} onCaught={disarmCrash}>
          <CrashProbe />
          {route.needsGpu ? <GpuGate label={route.label}>{content}</GpuGate> : content}
        </SectionBoundary>
      </div>
    );
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={skipToContent}>
        Skip to content
      </a>
      <Header />
      <div className="app__body">
        <aside className="app__sidebar">
          <div className="app__sidebar-inner">
            <Nav current={routeId} />
          </div>
        </aside>
        <main id="main" className="app__main" tabIndex={-1}>
          <div className="app__content">
            <GpuBanners route={routeId} />
            {page}
          </div>
        </main>
      </div>
    </div>
  );
}
