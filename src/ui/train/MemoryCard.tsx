import { formatMemory } from '../../engine/transformer/memory';
import type { RunMemory } from '../../train/memory';
import { Card } from '../components/Card';

function Row({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="kv__row">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

/** What the run will need on the GPU (weights, activations, optimizer), and why it cannot start when it cannot fit. */
export function MemoryCard({ memory }: { memory: RunMemory | null }) {
  if (!memory) return null;
  const { plan, refusal, suggestions } = memory;
  const b = plan.bytes;
  const trained = b.lora + b.grads + b.optimizer;
  return (
    <Card title="GPU memory" aside={`~${formatMemory(b.total)}`} testId="memory-card">
      <dl className="kv trn-plan" data-testid="memory-plan" data-total={b.total}>
        <Row label="Weights" value={`${formatMemory(b.weights + b.trainingCopy)}${b.trainingCopy ? ` (f32 copy trained: ${formatMemory(b.trainingCopy)})` : ''}`} testId="memory-weights" />
        <Row label="Activations" value={`${formatMemory(b.activations)}${plan.logits.chunks > 1 ? ` · logits in ${plan.logits.chunks} chunks of ${plan.logits.rows} rows` : ''}`} testId="memory-activations" />
        <Row label="Optimizer" value={`${formatMemory(trained)} (${b.lora ? 'LoRA, ' : ''}gradients, AdamW moments)`} testId="memory-optimizer" />
        <Row label="Total" value={`~${formatMemory(b.total)}`} testId="memory-total" />
        <Row label="Largest buffer" value={`${formatMemory(plan.largest.bytes)} — ${plan.largest.what}`} testId="memory-largest" />
      </dl>
      {refusal && (
        <p className="fld__error" role="alert" data-testid="memory-refusal">
          {refusal}
        </p>
      )}
      {!refusal && plan.warnings.length > 0 && (
        <p className="fld__hint fld__hint--bad" data-testid="memory-warning">
          {plan.warnings[0]}
          {suggestions.length > 0 && ` Under ${formatMemory(plan.budget)} with ${suggestions.map((s) => s.text).join(', or ')}.`}
        </p>
      )}
      <p className="muted">Planned from the model&apos;s shapes and this GPU&apos;s limits; WebGPU reports no total GPU memory.</p>
    </Card>
  );
}
