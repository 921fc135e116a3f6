// Runs in the report page, after Chart.js (inlined before it): draws the charts from the JSON
// in #report-data. Every label reaches the page as data and is drawn on a canvas, never parsed
// as HTML. `document.body.dataset.charts` tells a reader (and the tests) the charts are drawn.
(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const palette = ['#2563eb', '#ea580c', '#16a34a', '#9333ea'];
  const common = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { display: data.series.length > 1 } },
  };
  const datasets = (key) =>
    data.series.map((s, i) => ({
      label: s.name,
      data: s[key],
      backgroundColor: palette[i % palette.length],
    }));
  new window.Chart(document.getElementById('topics-chart'), {
    type: 'bar',
    data: { labels: data.topics, datasets: datasets('topicCounts') },
    options: {
      ...common,
      indexAxis: 'y',
      scales: { x: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'files' } } },
    },
  });
  new window.Chart(document.getElementById('processing-chart'), {
    type: 'bar',
    data: { labels: data.bins, datasets: datasets('processingBins') },
    options: {
      ...common,
      scales: {
        x: { title: { display: true, text: 'submitted → completed' } },
        y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'files' } },
      },
    },
  });
  document.body.dataset.charts = 'drawn';
})();
