/** The Export section of the studio. */
export function ExportSection() {
  return <section aria-labelledby="export-title"><h2 id="export-title">Export</h2></section>;
}
