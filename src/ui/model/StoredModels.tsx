import { useCallback, useEffect, useState } from 'react';
import { useStudio } from '../../store';
import { loadModel } from '../../store/slices/model';
import { DEFAULT_ENDPOINT, ModelCache, type StoredModel } from '../../engine/io';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { formatBytes } from '../shell/format';
import { readToken } from './tokenStore';
import { plural } from '../shell/plural';

const keyOf = (m: StoredModel) => `${m.endpoint} ${m.repo} ${m.revision}`;

/** Hub models kept in this browser's storage (Cache Storage): sizes, load again from disk, delete. */
export function StoredModels() {
  const epoch = useStudio((s) => s.modelEpoch);
  const busy = useStudio((s) => s.modelLoading !== null);
  const [models, setModels] = useState<StoredModel[] | null>(null);
  const [unsupported, setUnsupported] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    let live = true;
    ModelCache.open()
      .then(async (cache) => {
        const list = cache ? await cache.list() : [];
        if (!live) return;
        setUnsupported(!cache);
        setModels(list);
      })
      .catch((e: Error) => live && setError(`Could not list the stored models: ${e.message}`));
    return () => {
      live = false;
    };
  }, [tick, epoch]);

  const remove = async (m: StoredModel) => {
    setConfirming(null);
    try {
      const cache = await ModelCache.open();
      await cache?.deleteModel({ endpoint: m.endpoint, repo: m.repo, revision: m.revision });
      refresh();
    } catch (e) {
      setError(`Could not delete ${m.repo}: ${(e as Error).message}`);
    }
  };

  const total = (models ?? []).reduce((a, m) => a + m.bytes, 0);
  return (
    <Card title="Stored models" testId="stored-models" aside={models && models.length > 0 ? `${formatBytes(total)} in this browser` : undefined}>
      {error && <p className="fld__error">{error}</p>}
      {unsupported && <p className="muted">This browser does not offer Cache Storage here, so downloads are not kept.</p>}
      {models && models.length === 0 && !unsupported && (
        <p className="muted">Models loaded from the hub are kept here, so the next load reads them from disk.</p>
      )}
      {models && models.length > 0 && (
        <ul className="mdl-stored">
          {models.map((m) => (
            <li key={keyOf(m)} className="mdl-stored__row" data-testid="stored-model" data-repo={m.repo}>
              <div className="mdl-stored__what">
                <strong>{m.repo}</strong>
                <span className="muted">
                  {m.revision !== 'main' ? `@ ${m.revision} · ` : ''}
                  {m.endpoint !== DEFAULT_ENDPOINT ? `${m.endpoint} · ` : ''}
                  {plural(m.files.length, 'file')}
                </span>
              </div>
              <span className="mdl-stored__size" data-testid="stored-size">
                {formatBytes(m.bytes)}
              </span>
              <div className="mdl-stored__actions">
                <Button
                  size="sm"
                  disabled={busy}
                  onClick={() => void loadModel({ kind: 'hub', repo: m.repo, revision: m.revision, endpoint: m.endpoint === DEFAULT_ENDPOINT ? undefined : m.endpoint, token: readToken().token || undefined })}
                >
                  Load
                </Button>
                {confirming === keyOf(m) ? (
                  <>
                    <Button size="sm" variant="danger" onClick={() => void remove(m)} data-testid="stored-confirm-delete">
                      Delete {formatBytes(m.bytes)}
                    </Button>
                    <Button size="sm" variant="ghost" onClick={() => setConfirming(null)}>
                      Keep
                    </Button>
                  </>
                ) : (
                  <Button size="sm" variant="ghost" onClick={() => setConfirming(keyOf(m))} data-testid="stored-delete">
                    Delete
                  </Button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
