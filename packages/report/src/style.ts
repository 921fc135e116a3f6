/** The pages' stylesheet, inlined: system fonts only, so nothing is fetched. */
export const STYLE = `
:root { color-scheme: light; --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #f9fafb; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 10px; }
.meta, .back, .more, .stats { color: var(--muted); }
.batch { font-family: ui-monospace, "DejaVu Sans Mono", monospace; background: var(--bg); padding: 0 6px; border: 1px solid var(--line); border-radius: 4px; }
.vs { color: var(--muted); font-weight: normal; }
.grid { display: grid; grid-template-columns: minmax(320px, 1fr) 2fr; gap: 32px; align-items: start; }
@media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; margin: 12px 0 20px; }
caption { text-align: left; font-weight: 600; font-size: 15px; padding-bottom: 6px; }
th, td { text-align: left; padding: 4px 10px 4px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { color: var(--muted); font-weight: 600; }
tbody th { font-weight: normal; }
.n { text-align: right; font-variant-numeric: tabular-nums; }
.chart { position: relative; width: 100%; }
#problems-table td { word-break: break-word; }
#problems-table .url { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
.title, .answer { color: var(--muted); }
tr.transcription-failed td:nth-last-child(2), tr.tagging-failed td:nth-last-child(2) { color: #b91c1c; }
tr.unmatched td:nth-last-child(2) { color: #b45309; }
.bar { background: var(--line); height: 8px; border-radius: 4px; min-width: 120px; }
.bar span { display: block; height: 8px; border-radius: 4px; background: #2563eb; }
details summary { cursor: pointer; color: var(--muted); }
code { font-size: 12px; }
.settings, .legend { color: var(--muted); font-size: 12px; }
.heatmap { overflow-x: auto; display: inline-block; vertical-align: top; margin-right: 32px; }
table.confusion { width: auto; }
table.confusion td { min-width: 36px; text-align: center; padding: 6px 4px; border: 1px solid #fff; }
table.confusion td.zero { color: #9ca3af; }
table.confusion thead th { vertical-align: bottom; }
table.confusion th.answer { padding: 4px 2px; text-align: center; }
table.confusion th.answer span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
.key { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: -1px; margin-left: 8px; }
.key.right { background: rgb(37,99,235); } .key.wrong { background: rgb(220,38,38); }
`;
