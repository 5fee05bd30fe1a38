import { useStudio } from '../../store';
import { loadModel } from '../../store/slices/model';
import { topLevelFiles } from './sources';

/** Loads picked or dropped files as a local model (a dropped folder's subfolders are ignored). */
export function loadLocalFiles(files: File[]): void {
  if (files.length === 0) return;
  void loadModel({ kind: 'files', files: topLevelFiles(files) });
}

/**
 * Load a model folder from this computer: folder picker or file picker here, or drag-and-drop anywhere on the Model
 * page (ModelSection handles the drop). Nothing is uploaded.
 */
export function LocalSource() {
  const busy = useStudio((s) => s.modelLoading !== null);

  return (
    <div className="mdl-source" data-testid="source-local">
      <div className="mdl-drop" data-testid="local-drop">
        <p>
          <strong>Drop a model folder here</strong>, or choose it:
        </p>
        <div className="mdl-actions">
          <label className={`btn btn--primary${busy ? ' is-disabled' : ''}`}>
            Choose folder…
            <input
              type="file"
              className="visually-hidden"
              // @ts-expect-error webkitdirectory is not in React's input attributes, but every browser supports it
              webkitdirectory=""
              multiple
              disabled={busy}
              onChange={(e) => {
                loadLocalFiles([...(e.target.files ?? [])]);
                e.target.value = '';
              }}
              data-testid="local-folder"
            />
          </label>
          <label className={`btn btn--secondary${busy ? ' is-disabled' : ''}`}>
            Choose files…
            <input
              type="file"
              className="visually-hidden"
              multiple
              accept=".json,.safetensors"
              disabled={busy}
              onChange={(e) => {
                loadLocalFiles([...(e.target.files ?? [])]);
                e.target.value = '';
              }}
              data-testid="local-files"
            />
          </label>
        </div>
        <p className="muted">
          Needed: <code>config.json</code>, <code>tokenizer.json</code>, <code>tokenizer_config.json</code> and the{' '}
          <code>.safetensors</code> weights (with <code>model.safetensors.index.json</code> when sharded). The files are
          read from disk in this browser; nothing is uploaded.
        </p>
      </div>
    </div>
  );
}
