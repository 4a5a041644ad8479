// The search page of the default theme: pagefind's JS API over the index `digest build` writes
// under /pagefind/, in segments (docs/templates.md#search). `segments.json` lists each language's
// segments: the page loads its language's newest and merges the older ones, and does the same,
// as a second copy of pagefind (its own worker, stemming in that language), for each language
// whose texts its pages show untranslated, searching only those records (filter `shown_in`)
// and linking them at this language's address. Results of all of them are ranked by score.
// Everything is loaded from this site; the interface text comes from the page (data-*
// attributes, the site's interface strings).
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

// A record of another language's index as this page shows it: its page here, and this
// language's names of its issue and topic (docs/templates.md#search).
function localized(data, from) {
  if (from.own) return data;
  const meta = { ...data.meta };
  for (const key of ['issue', 'topic']) {
    if (meta[`${key}_${text.lang}`]) meta[key] = meta[`${key}_${text.lang}`];
  }
  return { ...data, url: meta[`url_${text.lang}`] || data.url, meta };
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

// Each index this page searches: { pagefind, own }.
let indexes = null;
let results = [];
let shown = 0;
let generation = 0;

// One language's segments, as a pagefind instance of its own: a module loaded from the
// language's folder is a separate copy of pagefind, with its own worker and WebAssembly (which
// stems the query in that language).
async function language(bundles) {
  const [newest, ...older] = bundles;
  const pagefind = await import(`${text.bundle}${newest}pagefind.js`);
  // Results carry the URLs the records were indexed with, base path included.
  const options = { baseUrl: '/', excerptLength: 24 };
  await pagefind.options(options);
  await pagefind.init();
  for (const folder of older) await pagefind.mergeIndex(`${text.bundle}${folder}`, options);
  return pagefind;
}

async function load() {
  try {
    const list = await (await fetch(`${text.bundle}segments.json`)).json();
    const wanted = Object.entries(list.languages)
      .filter(([code, l]) => code === text.lang || l.shown_in.includes(text.lang));
    const loaded = await Promise.all(wanted.map(async ([code, l]) => ({
      pagefind: await language(l.bundles),
      own: code === text.lang,
    })));
    // This language's own index first: among equal scores, its results come first.
    return loaded.sort((a, b) => Number(b.own) - Number(a.own));
  } catch (e) {
    state('done');
    status.textContent = text.unavailable;
    form.querySelectorAll('input, select, button').forEach((el) => { el.disabled = true; });
    return null;
  }
}

// The filters of a search in `index`: another language's records are those shown on this
// language's pages, filtered by this language's names of their topic and issue.
function filtersFor(index) {
  const filters = {};
  const suffix = index.own ? '' : `_${text.lang}`;
  if (!index.own) filters.shown_in = text.lang;
  if (topic.value) filters[`topic${suffix}`] = topic.value;
  if (issue.value) filters[`issue${suffix}`] = issue.value;
  return filters;
}

async function showMore(run) {
  const batch = await Promise.all(results.slice(shown, shown + PAGE).map(async (r) => localized(await r.result.data(), r.from)));
  if (run !== generation) return;
  for (const data of batch) list.append(result(data));
  shown += batch.length;
  more.hidden = shown >= results.length;
}

async function search() {
  const run = ++generation;
  const query = input.value.trim();
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
  if (!indexes) return;
  if (!query && !topic.value && !issue.value) {
    status.textContent = '';
    state('done');
    return;
  }
  state('searching');
  status.textContent = text.loading;
  const found = await Promise.all(indexes.map((from) => from.pagefind.search(query || null, { filters: filtersFor(from) })));
  if (run !== generation) return;
  // Ranked by score across indexes, as pagefind ranks across merged segments; a stable sort
  // keeps each index's order among equals.
  results = found.flatMap((f, i) => f.results.map((result) => ({ result, from: indexes[i] })))
    .sort((a, b) => b.result.score - a.result.score);
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
indexes = await load();
if (indexes) search();
