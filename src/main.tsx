import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './store';
import { connectGpu } from './store/slices/gpu';
import { App } from './ui/App';
import { installDebugHook } from './ui/shell/debugHook';
import { showFatalError } from './ui/shell/fatal';
import './ui/styles/index.css';

try {
  const root = document.getElementById('root');
  if (!root) throw new Error('The page is missing its #root element.');
  installDebugHook();
  void connectGpu();
  // Crashes inside a section are caught by its boundary; anything that escapes (header, navigation) lands here
  // instead of leaving a blank page.
  createRoot(root, { onUncaughtError: (error) => showFatalError(error) }).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
} catch (e) {
  showFatalError(e);
}
