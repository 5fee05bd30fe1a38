/** The Dataset section of the studio. */
export function DatasetSection() {
  return <section aria-labelledby="dataset-title"><h2 id="dataset-title">Dataset</h2></section>;
}
