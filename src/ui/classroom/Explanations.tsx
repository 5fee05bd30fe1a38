/** The lesson's prose, written for the studio: short, and only what the page then shows or measures. */
import type { RunPlan } from '../../train/run';
import { plural } from '../shell/plural';

export function PretrainingText() {
  return (
    <>
      <p>
        <strong>Pretraining</strong> teaches a model to continue text. Every token of a document is a target: given what came before, predict the
        next token. The loss is averaged over all of them.
      </p>
      <p>
        <strong>Instruction tuning</strong> uses the same next-token loss on a different kind of data: a prompt, then the answer we want. We only want
        the model to get better at <em>writing answers</em>. The prompt is there so the model knows what it is answering, not as something to imitate.
      </p>
      <p>
        So the question of this lesson is which tokens count in the loss. We train the same data twice — once on the answers only, once on every
        token — and compare what each run learned.
      </p>
    </>
  );
}

export function MaskText() {
  return (
    <>
      <p>
        Each token gets a label. A trained token’s label is its own id; a token we do not want to learn gets <code>−100</code>. The loss function
        skips every position whose label is −100 (PyTorch’s cross-entropy calls it <code>ignore_index</code>), so those tokens add nothing to the loss
        or to the gradient. They are still read as context.
      </p>
      <p>
        <strong>The shift by one:</strong> the output at position <em>t</em> is a guess for token <em>t + 1</em>, so it is scored against the next
        token’s label (the bottom row, “loss →”). The last prompt token is where the first answer token is predicted, and the very first token is never a
        target.
      </p>
    </>
  );
}

export function NoMaskText() {
  return (
    <>
      <p>
        Without the mask, the prompt tokens are targets too. Part of every gradient step then goes into predicting the user’s questions and the
        template’s markup. On a small dataset the questions are as easy to memorise as the answers, so the model can learn to write them too:
        after an answer, or instead of one. Whether it did here, the answers below show.
      </p>
      <p>Below, the base model and both adapters answer the same prompts, greedily (no sampling), so the outputs are repeatable.</p>
    </>
  );
}

export function OverfitText() {
  return (
    <>
      <p>
        A handful of examples, seen many times, can be memorised: the training loss heads towards zero while answers to new prompts do not get
        better, or get worse. A falling training loss on a tiny set shows that the model fits <em>those</em> examples, not that it answers well.
      </p>
      <p>
        That is why the lesson keeps some examples out of training and asks about them. Compare the answer to a held-out prompt with the answer to
        one the runs trained on.
      </p>
    </>
  );
}

export function LossText() {
  return (
    <p>
      A run’s loss is the mean over the tokens it trains, so the full run’s usual loss includes the prompt and cannot be set against the masked
      run’s. The full run therefore also measures its loss on the <strong>answer tokens only</strong>: the tokens the masked run trains, on the
      same batches. The two solid lines share one scale. The dashed line is the full run’s loss on every other token, which the masked run never
      trains.
    </p>
  );
}

/** What the masked run measured about fitting a tiny set: passes over it, and its answer loss on training vs held-out data. */
export function OverfitNumbers({ plan, batch, train, heldOut }: { plan: RunPlan; batch: number; train: number | null; heldOut: number | null }) {
  const passes = plan.totalSteps / Math.max(1, plan.stepsPerEpoch);
  const v = plan.validationExamples;
  return (
    <p className="cls-measured" data-testid="lesson-overfit">
      These runs trained on {plural(plan.trainExamples, 'example')}, {plural(plan.totalSteps, 'step')} in batches of up to {batch}: about {passes.toFixed(passes < 10 ? 1 : 0)} passes over the
      same examples.
      {train !== null && heldOut !== null && (
        <>
          {' '}
          The masked run’s answer-token loss ended at <strong data-testid="overfit-train">{train.toFixed(3)}</strong> on its training batches (last steps) and{' '}
          <strong data-testid="overfit-heldout">{heldOut.toFixed(3)}</strong> on the {v} held-out example{v === 1 ? '' : 's'}.
        </>
      )}
    </p>
  );
}
