import { useRef, useState } from 'react';

/** A file picker that also accepts a dropped file. */
export function DropZone({ onFile }: { onFile: (file: File) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  return (
    <div
      className={`ds-drop${over ? ' is-over' : ''}`}
      data-testid="drop-zone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const f = e.dataTransfer.files[0];
        if (f) onFile(f);
      }}
    >
      <p><strong>Drop a dataset file here</strong></p>
      <p className="ds-muted">JSON, JSON Lines or CSV: Alpaca, ShareGPT, OpenAI chat, TRL, Dolly, plain text, or any columns you map yourself.</p>
      <button type="button" className="btn btn--secondary" onClick={() => input.current?.click()}>Choose a file…</button>
      <input
        ref={input}
        type="file"
        accept=".json,.jsonl,.ndjson,.csv,.txt,application/json,text/csv"
        className="ds-visually-hidden"
        data-testid="import-file-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) onFile(f);
          e.target.value = '';
        }}
      />
    </div>
  );
}
