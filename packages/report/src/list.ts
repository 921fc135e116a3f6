import type { Progress } from '@mediatag/db';
import { esc } from './html.ts';
import { type Page, page } from './render.ts';

const count = (n: number) => n.toLocaleString('en-US');

/** Percent of a batch's files that are final, rounded down (100% only when all are). */
export function percentFinal(p: Progress): number {
  return p.total === 0 ? 100 : Math.floor((p.final / p.total) * 1000) / 10;
}

/**
 * The list of batches with live progress (`/batches`); it reloads itself every
 * `refreshSeconds`. Each name links to its report, relative to the list's own URL.
 */
export function renderBatchList(
  list: Progress[],
  options: { refreshSeconds?: number; now?: Date } = {},
): Page {
  const refresh = options.refreshSeconds ?? 10;
  const now = options.now ?? new Date();
  const rows = list.map((p) => {
    const name = p.batch ?? '';
    const percent = percentFinal(p);
    const inProgress = p.total - p.final;
    return `<tr>
<th scope="row"><a href="batches/${esc(encodeURIComponent(name))}">${esc(name)}</a></th>
<td class="n">${count(p.total)}</td><td class="n">${count(p.tagged)}</td><td class="n">${count(p.unmatched)}</td>
<td class="n">${count(p.failed)}</td><td class="n">${count(inProgress)}</td>
<td class="n">${percent}%</td><td><div class="bar" role="presentation"><span style="width:${percent}%"></span></div></td>
</tr>`;
  });
  const head = ['Batch', 'Files', 'Tagged', 'Unmatched', 'Failed', 'In progress', 'Final', ''];
  const table =
    list.length === 0
      ? '<p id="no-batches">No batches yet: <code>mediatag enqueue … --batch NAME</code> makes one.</p>'
      : `<table id="batches-table"><thead><tr>${head.map((h, i) => `<th scope="col"${i > 0 && i < 7 ? ' class="n"' : ''}>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
  const body = `<header><h1>Batches</h1>
<p class="meta">As of ${esc(now.toISOString().replace('T', ' ').slice(0, 19))} UTC; this page reloads every ${refresh} s. A batch's name opens its report.</p></header>
<main>${table}</main>`;
  return page('mediatag batches', body, [], `<meta http-equiv="refresh" content="${refresh}">\n`);
}
