/** The Model section of the studio. */
export function ModelSection() {
  return <section aria-labelledby="model-title"><h2 id="model-title">Model</h2></section>;
}
