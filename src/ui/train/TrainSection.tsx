/** The Train section of the studio. */
export function TrainSection() {
  return <section aria-labelledby="train-title"><h2 id="train-title">Train</h2></section>;
}
