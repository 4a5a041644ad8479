// The search page of the default theme: pagefind's JS API over the index `digest build` writes
// under /pagefind/. Pagefind picks the index of the page's <html lang>, so each language's page
// searches that language. Everything is loaded from this site; the interface text comes from
// the page (data-* attributes, the site's interface strings).
const root = document.getElementById('search');
const form = root.querySelector('form');
const input = root.querySelector('#search-input');
const topic = root.querySelector('#search-topic');
const issue = root.querySelector('#search-issue');
const status = root.querySelector('.search-status');
const list = root.querySelector('.search-results');
const more = root.querySelector('.search-more');
const text = root.dataset;
const PAGE = 10;

root.hidden = false;
// `loading` until the index is ready, `searching` while a search runs, then `done`: for
// assistive technology (aria-busy) and for tests.
function state(value) {
  root.dataset.state = value;
  root.setAttribute('aria-busy', String(value !== 'done'));
}
state('loading');

// Pagefind keeps the pages' text decoded and marks the word boundaries it found in Chinese
// with zero-width spaces. Metadata comes as that text; excerpts come as HTML, the text escaped
// with pagefind's <mark>s around the matches.
function plain(text) {
  return text.replace(/\u200b/g, '');
}

// The text of escaped HTML, decoded without ever being parsed as markup.
const decoder = document.createElement('textarea');
function decode(html) {
  decoder.innerHTML = html;
  return plain(decoder.value);
}

// An excerpt with pagefind's <mark>s as elements and everything else as text.
function excerpt(html) {
  const p = document.createElement('p');
  p.className = 'search-result-excerpt';
  let mark = null;
  for (const part of html.split(/(<\/?mark>)/)) {
    if (part === '<mark>') {
      mark = document.createElement('mark');
      p.append(mark);
    } else if (part === '</mark>') {
      mark = null;
    } else if (part) {
      (mark || p).append(decode(part));
    }
  }
  return p;
}

function result(data) {
  const li = document.createElement('li');
  li.className = 'search-result';
  const h = document.createElement('h2');
  const a = document.createElement('a');
  a.href = data.url;
  a.textContent = plain(data.meta.title || data.url);
  h.append(a);
  const meta = document.createElement('p');
  meta.className = 'search-result-meta';
  const where = [data.meta.issue, data.meta.topic].filter(Boolean).map(plain);
  if (!data.meta.topic) where.push(text.issueIntro);
  meta.textContent = where.join(' · ');
  li.append(h, meta, excerpt(data.excerpt || ''));
  return li;
}

let pagefind = null;
let results = [];
let shown = 0;
let generation = 0;

async function load() {
  try {
    const bundle = await import(`${text.bundle}pagefind.js`);
    // Results carry the URLs the pages were indexed with, base path included.
    await bundle.options({ baseUrl: '/', excerptLength: 24 });
    await bundle.init();
    return bundle;
  } catch (e) {
    state('done');
    status.textContent = text.unavailable;
    form.querySelectorAll('input, select, button').forEach((el) => { el.disabled = true; });
    return null;
  }
}

async function showMore(run) {
  const batch = await Promise.all(results.slice(shown, shown + PAGE).map((r) => r.data()));
  if (run !== generation) return;
  for (const data of batch) list.append(result(data));
  shown += batch.length;
  more.hidden = shown >= results.length;
}

async function search() {
  const run = ++generation;
  const query = input.value.trim();
  const filters = {};
  if (topic.value) filters.topic = topic.value;
  if (issue.value) filters.issue = issue.value;
  const url = new URL(location.href);
  for (const [key, value] of [['q', query], ['topic', topic.value], ['issue', issue.value]]) {
    if (value) url.searchParams.set(key, value); else url.searchParams.delete(key);
  }
  history.replaceState(null, '', url);
  list.replaceChildren();
  more.hidden = true;
  results = [];
  shown = 0;
  // Before the index is loaded, the search runs once it is.
  if (!pagefind) return;
  if (!query && !topic.value && !issue.value) {
    status.textContent = '';
    state('done');
    return;
  }
  state('searching');
  status.textContent = text.loading;
  const found = await pagefind.search(query || null, { filters });
  if (run !== generation) return;
  results = found.results;
  if (results.length === 0) {
    status.textContent = text.noResults.replace('{query}', query || [topic.value, issue.value].filter(Boolean).join(' · '));
  } else {
    await showMore(run);
    if (run !== generation) return;
    status.textContent = results.length === 1 ? text.resultOne : text.results.replace('{count}', results.length);
  }
  state('done');
}

let timer = null;
input.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(search, 250);
});
topic.addEventListener('change', search);
issue.addEventListener('change', search);
form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearTimeout(timer);
  search();
});
more.addEventListener('click', () => showMore(generation));

const params = new URLSearchParams(location.search);
input.value = params.get('q') || '';
for (const [select, key] of [[topic, 'topic'], [issue, 'issue']]) {
  const value = params.get(key);
  if (value && [...select.options].some((o) => o.value === value)) select.value = value;
}
pagefind = await load();
if (pagefind) search();
