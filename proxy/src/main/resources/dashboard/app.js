// Toolgate dashboard: plain JavaScript over the management API, signed in by an HttpOnly session
// cookie. Requests that change something carry the session's CSRF token in x-csrf-token. Every
// value from the gateway is put on the page as text (textContent), never parsed as HTML.
'use strict';

(function () {
  const PAGES = ['pending', 'feed', 'logs', 'stats', 'kill-switch', 'rules', 'audit'];
  const STATUSES = ['allowed', 'warned', 'blocked', 'pending', 'approved', 'denied', 'expired'];
  const FEED_LIMIT = 200;
  const LOGS_LIMIT = 50;

  const state = { session: null, csrf: null, page: null, feed: null, feedIds: new Set(), feedLoaded: false, logsPage: 1,
    editing: null };

  const $ = (id) => document.getElementById(id);

  /** An element with attributes and children (strings become text nodes). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name === 'text') node.textContent = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function badge(status) {
    return el('span', { class: 'badge ' + status, text: status });
  }

  function json(value) {
    return el('pre', { text: JSON.stringify(value, null, 2) });
  }

  function age(iso) {
    const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (seconds < 60) return seconds + ' s';
    if (seconds < 3600) return Math.floor(seconds / 60) + ' min';
    if (seconds < 86400) return Math.floor(seconds / 3600) + ' h ' + Math.floor((seconds % 3600) / 60) + ' min';
    return Math.floor(seconds / 86400) + ' d';
  }

  function time(iso) {
    const date = new Date(iso);
    return el('time', { datetime: iso, title: date.toString(), text: date.toLocaleString() });
  }

  function say(message, isError) {
    const status = $('status');
    status.textContent = message || '';
    status.classList.toggle('error', Boolean(isError));
  }

  /** Thrown for an answer that is not 2xx: the gateway's {"error":{"code","message"}}. */
  class ApiFailure extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(method, path, body) {
    const headers = { 'Accept': 'application/json' };
    if (method !== 'GET' && state.csrf) headers['x-csrf-token'] = state.csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    let payload = null;
    const text = await response.text();
    if (text) {
      try { payload = JSON.parse(text); } catch (e) { payload = { error: { code: 'NOT_JSON', message: text } }; }
    }
    if (!response.ok) {
      const error = (payload && payload.error) || {};
      if (response.status === 401) signedOut(error.message);
      throw new ApiFailure(response.status, error.code || 'HTTP_' + response.status, error.message || response.statusText);
    }
    return payload;
  }

  /** Runs an action, reporting a failure on the page rather than in the console. */
  async function attempt(action) {
    try {
      return await action();
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 401) return undefined;
      say(e.message + (e.code ? ' (' + e.code + ')' : ''), true);
      return undefined;
    }
  }

  // ---- Sessions ----------------------------------------------------------------------------

  async function start() {
    bindStatic();
    try {
      const session = await api('GET', '/dashboard/api/session');
      signedIn(session);
    } catch (e) {
      if (!(e instanceof ApiFailure && e.status === 401)) say(e.message, true);
      signedOut();
    }
  }

  function signedIn(session) {
    state.session = session;
    state.csrf = session.csrf_token;
    $('who-name').textContent = 'Signed in as ' + session.admin + ' (workspace ' + session.workspace + ')';
    $('who').hidden = false;
    $('nav').hidden = false;
    $('sign-in').hidden = true;
    openFeed();
    show(location.hash.slice(1));
    refreshPendingCount();
  }

  function signedOut(message) {
    state.session = null;
    state.csrf = null;
    closeFeed();
    $('who').hidden = true;
    $('nav').hidden = true;
    document.querySelectorAll('.page').forEach((page) => { page.hidden = true; });
    $('sign-in').hidden = false;
    if (message && state.page) say(message, true);
    state.page = null;
  }

  async function signIn(event) {
    event.preventDefault();
    const key = $('sign-in-key');
    $('sign-in-error').textContent = '';
    const response = await fetch('/dashboard/sign-in', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept': 'application/json' },
      body: new URLSearchParams({ key: key.value }).toString()
    });
    const payload = await response.json().catch(() => ({}));
    if (!response.ok) {
      $('sign-in-error').textContent = (payload.error && payload.error.message) || 'Sign-in failed';
      key.focus();
      return;
    }
    key.value = '';
    say('');
    signedIn(payload);
  }

  async function signOut() {
    await attempt(() => api('POST', '/dashboard/sign-out'));
    signedOut();
    say('Signed out.');
    $('sign-in-key').focus();
  }

  // ---- Navigation --------------------------------------------------------------------------

  function show(page) {
    if (!state.session) return;
    if (!PAGES.includes(page)) page = 'pending';
    state.page = page;
    say('');
    for (const section of document.querySelectorAll('.page[data-page]')) {
      section.hidden = section.dataset.page !== page;
    }
    for (const link of document.querySelectorAll('nav a[data-page]')) {
      if (link.dataset.page === page) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.title = $('page-' + page).querySelector('h2').textContent + ' · Toolgate';
    LOADERS[page]();
  }

  const LOADERS = {
    'pending': () => { loadPending(); loadStanding(); },
    'feed': loadFeed,
    'logs': loadLogs,
    'stats': loadStats,
    'kill-switch': loadKillSwitch,
    'rules': loadRules,
    'audit': () => {}
  };

  // ---- Pending approvals -------------------------------------------------------------------

  async function refreshPendingCount() {
    const listing = await attempt(() => api('GET', '/api/pending-approvals?limit=100'));
    if (!listing) return;
    const count = $('pending-count');
    count.textContent = String(listing.approvals.length);
    count.hidden = listing.approvals.length === 0;
    return listing;
  }

  async function loadPending() {
    const listing = await refreshPendingCount();
    if (!listing) return;
    const list = $('pending-list');
    list.replaceChildren();
    if (listing.approvals.length === 0) {
      list.append(el('p', { class: 'empty', text: 'No tool call is waiting for approval.' }));
      return;
    }
    for (const approval of listing.approvals) list.append(approvalCard(approval));
  }

  // Standing approvals: time-limited allow rules granted with an approval, revocable here.
  async function loadStanding() {
    const listing = await attempt(() => api('GET', '/api/standing-approvals'));
    const list = $('standing-list');
    if (!listing || !list) return;
    list.replaceChildren();
    if (listing.standing_approvals.length === 0) {
      list.append(el('li', { class: 'empty', text: 'None in force.' }));
      return;
    }
    for (const grant of listing.standing_approvals) {
      const revoke = el('button', { type: 'button', class: 'deny', 'data-standing': grant.id }, 'Revoke');
      revoke.addEventListener('click', async () => {
        revoke.disabled = true;
        if (await attempt(() => api('DELETE', '/api/standing-approvals/' + encodeURIComponent(grant.id)))) {
          say('Revoked the standing approval of ' + grant.tool + ' for ' + grant.agent + '.');
        }
        loadStanding();
      });
      list.append(el('li', { 'data-standing': grant.id },
        el('code', { text: grant.tool }), ' for ' + grant.agent + ', until ', time(grant.expires_at),
        ', ' + grant.used_calls + (grant.max_calls ? ' of ' + grant.max_calls : '') + ' call(s) used, arguments ',
        Object.keys(grant.bounds).length ? el('code', { text: JSON.stringify(grant.bounds) }) : 'as approved', ' ', revoke));
    }
  }

  function approvalCard(approval) {
    const noteId = 'note-' + approval.id;
    const note = el('input', { id: noteId, type: 'text', name: 'note', autocomplete: 'off' });
    const minutes = el('input', { id: 'standing-minutes-' + approval.id, type: 'number', min: '1', name: 'standing_minutes' });
    const calls = el('input', { id: 'standing-calls-' + approval.id, type: 'number', min: '1', name: 'standing_calls' });
    const bounds = el('input', { id: 'standing-bounds-' + approval.id, type: 'text', name: 'standing_bounds', autocomplete: 'off',
      placeholder: '{"amount":{"max":1000}}' });
    const decide = async (action, button) => {
      const body = { action, note: note.value.trim() || null };
      if (action === 'approved' && minutes.value) {
        let parsed = null;
        try {
          parsed = bounds.value.trim() ? JSON.parse(bounds.value) : null;
        } catch (notJson) {
          say('Argument bounds must be JSON, such as {"amount":{"max":1000}}.');
          return;
        }
        body.standing = { minutes: Number(minutes.value), calls: calls.value ? Number(calls.value) : null, bounds: parsed };
      }
      button.disabled = true;
      const done = await attempt(() => api('POST', '/api/pending-approvals/' + encodeURIComponent(approval.id) + '/decide',
        body));
      button.disabled = false;
      if (done) {
        say((action === 'approved' ? 'Approved ' : 'Denied ') + approval.tool + ' for ' + approval.agent + '.');
        loadPending();
        loadStanding();
      }
    };
    const approve = el('button', { type: 'button', class: 'approve', 'data-approval': approval.id, 'data-action': 'approve' },
      'Approve');
    approve.addEventListener('click', () => decide('approved', approve));
    const deny = el('button', { type: 'button', class: 'deny', 'data-approval': approval.id, 'data-action': 'deny' }, 'Deny');
    deny.addEventListener('click', () => decide('denied', deny));
    return el('article', { class: 'card', 'data-approval': approval.id, 'aria-label': 'Approval for ' + approval.tool },
      el('h3', {}, el('code', { text: approval.tool }), el('span', { class: 'hint', text: 'waiting ' + age(approval.created_at) })),
      el('dl', {},
        el('dt', { text: 'Agent' }), el('dd', { text: approval.agent }),
        el('dt', { text: 'Rule' }), el('dd', {}, el('code', { text: approval.rule || '—' }),
          approval.rule_text ? ' — ' + approval.rule_text : ''),
        el('dt', { text: 'Arguments' }), el('dd', {}, json(approval.arguments)),
        el('dt', { text: 'Expires' }), el('dd', {}, time(approval.expires_at)),
        el('dt', { text: 'Approval id' }), el('dd', { class: 'mono', text: approval.id })),
      el('div', { class: 'decide' },
        el('div', { class: 'note' }, el('label', { for: noteId, text: 'Note (optional)' }), note),
        el('div', { class: 'note' }, el('label', { for: minutes.id, text: 'Also allow this tool for this agent for (minutes)' }),
          minutes),
        el('div', { class: 'note' }, el('label', { for: calls.id, text: 'at most (calls)' }), calls),
        el('div', { class: 'note' }, el('label', { for: bounds.id, text: 'within argument bounds (JSON; empty: same arguments)' }),
          bounds),
        approve, deny));
  }

  // ---- Live feed ---------------------------------------------------------------------------

  function openFeed() {
    closeFeed();
    const source = new EventSource('/dashboard/api/feed');
    state.feed = source;
    source.addEventListener('open', () => feedState('live', true));
    source.addEventListener('error', () => {
      feedState('reconnecting…', false);
      // A session that ended makes every reconnect fail: find out and show the sign-in form.
      if (source.readyState === EventSource.CLOSED) attempt(() => api('GET', '/dashboard/api/session'));
    });
    source.addEventListener('decision', (message) => {
      const event = JSON.parse(message.data);
      addFeedRow(event, true);
      if (event.status === 'pending' || event.source === 'approval') {
        if (state.page === 'pending') loadPending(); else refreshPendingCount();
      }
    });
  }

  function closeFeed() {
    if (state.feed) state.feed.close();
    state.feed = null;
  }

  function feedState(text, live) {
    const pill = $('feed-state');
    pill.textContent = text;
    pill.classList.toggle('live', live);
  }

  /** The latest decisions from before the page opened, once, below whatever arrived live since. */
  async function loadFeed() {
    if (state.feedLoaded) return;
    const recent = await attempt(() => api('GET', '/api/logs?limit=25'));
    if (!recent) return;
    state.feedLoaded = true;
    recent.logs.forEach((event) => addFeedRow(event, false));
  }

  function addFeedRow(event, fresh) {
    if (state.feedIds.has(event.id)) return;
    state.feedIds.add(event.id);
    const list = $('feed-list');
    const rules = (event.rules || []).join(', ');
    const row = el('li', { class: fresh ? 'fresh' : null, 'data-tool': event.tool, 'data-status': event.status },
      time(event.time), badge(event.status),
      el('span', {}, el('code', { text: event.tool }), ' by ', el('strong', { text: event.agent }),
        rules ? ' · rule ' + rules : ''),
      el('span', { class: 'detail', text: (event.reasons || []).join(' · ') || 'source: ' + event.source }));
    if (fresh) list.prepend(row); else list.append(row);
    while (list.children.length > FEED_LIMIT) list.lastElementChild.remove();
  }

  // ---- Logs --------------------------------------------------------------------------------

  function logFilters() {
    const params = new URLSearchParams();
    const status = $('logs-status').value;
    const tool = $('logs-tool').value.trim();
    const agent = $('logs-agent').value.trim();
    const since = $('logs-since').value;
    if (status) params.set('status', status);
    if (tool) params.set('tool', tool);
    if (agent) params.set('agent', agent);
    if (since) params.set('since', new Date(since).toISOString());
    return params;
  }

  async function loadLogs() {
    const params = logFilters();
    $('logs-export').href = '/api/logs/export' + (params.toString() ? '?' + params : '');
    params.set('limit', String(LOGS_LIMIT));
    params.set('page', String(state.logsPage));
    const page = await attempt(() => api('GET', '/api/logs?' + params));
    if (!page) return;
    const rows = $('logs-rows');
    rows.replaceChildren();
    for (const event of page.logs) {
      rows.append(el('tr', {},
        el('td', { 'data-label': 'Time' }, time(event.time)),
        el('td', { 'data-label': 'Status' }, badge(event.status)),
        el('td', { 'data-label': 'Tool' }, el('code', { text: event.tool })),
        el('td', { 'data-label': 'Agent', text: event.agent }),
        el('td', { 'data-label': 'Rules', text: (event.rules || []).join(', ') }),
        el('td', { 'data-label': 'Reasons', text: (event.reasons || []).join(' · ') }),
        el('td', { 'data-label': 'Arguments' }, json(event.arguments))));
    }
    if (page.logs.length === 0) {
      rows.append(el('tr', {}, el('td', { colspan: '7', class: 'empty', text: 'No decision matches these filters.' })));
    }
    const pages = Math.max(1, Math.ceil(page.total / page.limit));
    $('logs-page').textContent = 'Page ' + page.page + ' of ' + pages + ' (' + page.total + ' decisions)';
    $('logs-prev').disabled = page.page <= 1;
    $('logs-next').disabled = page.page >= pages;
  }

  // ---- Stats -------------------------------------------------------------------------------

  async function loadStats() {
    const hours = Number($('stats-window').value);
    const since = new Date(Date.now() - hours * 3600 * 1000);
    const counts = await attempt(() => api('GET', '/api/stats?since=' + encodeURIComponent(since.toISOString())));
    if (!counts) return;
    const list = $('stats-counts');
    list.replaceChildren(el('div', {}, el('dt', { text: 'total' }), el('dd', { text: String(counts.total) })),
      ...STATUSES.map((status) => el('div', {}, el('dt', {}, badge(status)), el('dd', { text: String(counts[status]) }))));
    const recent = await attempt(() => api('GET', '/api/logs?limit=1000&since=' + encodeURIComponent(since.toISOString())));
    if (!recent) return;
    drawChart(recent.logs, since, hours, counts.total);
  }

  /** Stacked bars of decisions per hour (per 6 hours over a week), drawn as plain SVG. */
  function drawChart(events, since, hours, total) {
    const bucketHours = hours > 48 ? 6 : 1;
    const buckets = Math.ceil(hours / bucketHours);
    const start = since.getTime();
    // Drawn at the width it is shown at, so the text stays its size on a phone and on a wide screen.
    const width = Math.max(320, $('stats-chart').clientWidth || 720), height = 220, left = 36, bottom = 22, top = 8;
    const counts = Array.from({ length: buckets }, () => Object.fromEntries(STATUSES.map((s) => [s, 0])));
    for (const event of events) {
      const index = Math.floor((Date.parse(event.time) - start) / (bucketHours * 3600 * 1000));
      if (index >= 0 && index < buckets && counts[index][event.status] !== undefined) counts[index][event.status]++;
    }
    const max = Math.max(1, ...counts.map((bucket) => STATUSES.reduce((sum, s) => sum + bucket[s], 0)));
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-labelledby', 'stats-chart-caption');
    const add = (name, attrs, text) => {
      const node = document.createElementNS(ns, name);
      for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
      if (text !== undefined) node.textContent = text;
      svg.append(node);
      return node;
    };
    const plotHeight = height - bottom - top;
    const barWidth = (width - left) / buckets;
    add('line', { x1: left, y1: top + plotHeight, x2: width, y2: top + plotHeight, stroke: '#8c959f' });
    add('text', { x: left - 6, y: top + 10, 'text-anchor': 'end' }, String(max));
    add('text', { x: left - 6, y: top + plotHeight, 'text-anchor': 'end' }, '0');
    counts.forEach((bucket, i) => {
      let y = top + plotHeight;
      for (const status of STATUSES) {
        if (!bucket[status]) continue;
        const h = (bucket[status] / max) * plotHeight;
        y -= h;
        const rect = add('rect', { x: left + i * barWidth + 1, y, width: Math.max(1, barWidth - 2), height: h,
          class: 'swatch-' + status });
        const when = new Date(start + i * bucketHours * 3600 * 1000);
        const title = document.createElementNS(ns, 'title');
        title.textContent = bucket[status] + ' ' + status + ' from ' + when.toLocaleString();
        rect.append(title);
      }
      const labelEvery = Math.ceil(buckets / 8);
      if (i % labelEvery === 0) {
        const when = new Date(start + i * bucketHours * 3600 * 1000);
        add('text', { x: left + i * barWidth, y: height - 6 },
          bucketHours === 1 ? when.getHours() + ':00' : (when.getMonth() + 1) + '/' + when.getDate());
      }
    });
    $('stats-chart').replaceChildren(svg);
    $('stats-chart-caption').textContent = 'Decisions per ' + (bucketHours === 1 ? 'hour' : bucketHours + ' hours')
      + ' since ' + since.toLocaleString() + (total > events.length ? ' (the latest ' + events.length + ' of ' + total + ')' : '');
    $('stats-legend').replaceChildren(...STATUSES.map((status) =>
      el('li', {}, el('span', { class: 'swatch-' + status, 'aria-hidden': 'true' }), status)));
  }

  // ---- Kill switch -------------------------------------------------------------------------

  async function loadKillSwitch() {
    const listing = await attempt(() => api('GET', '/api/blocked-tools'));
    if (!listing) return;
    const list = $('kill-list');
    list.replaceChildren();
    if (listing.blocked_tools.length === 0) list.append(el('li', { class: 'empty', text: 'No tool is blocked.' }));
    for (const tool of listing.blocked_tools) {
      const item = el('li', {}, el('span', {}, el('code', { text: tool.tool_name }),
        tool.source === 'config' ? ' — in toolgate.yaml (policy.blocked_tools)' : ' — by ' + tool.created_by));
      if (tool.source === 'api') {
        const remove = el('button', { type: 'button', class: 'secondary', 'aria-label': 'Unblock ' + tool.tool_name }, 'Unblock');
        remove.addEventListener('click', async () => {
          if (await attempt(() => api('DELETE', '/api/blocked-tools/' + encodeURIComponent(tool.tool_name)))) {
            say('Unblocked ' + tool.tool_name + '.');
            loadKillSwitch();
          }
        });
        item.append(remove);
      }
      list.append(item);
    }
  }

  async function blockTool(event) {
    event.preventDefault();
    const input = $('kill-tool');
    const name = input.value.trim();
    if (!name) return;
    if (await attempt(() => api('POST', '/api/blocked-tools', { tool_name: name }))) {
      input.value = '';
      say('Blocked ' + name + ' on every call.');
      loadKillSwitch();
    }
  }

  // ---- Rules and the dry run ---------------------------------------------------------------

  async function loadRules() {
    const listing = await attempt(() => api('GET', '/api/approval-rules'));
    if (!listing) return;
    const rows = $('rules-rows');
    rows.replaceChildren();
    for (const rule of listing.rules) {
      const actions = el('td', { 'data-label': 'Actions' });
      if (rule.source === 'api') {
        const edit = el('button', { type: 'button', class: 'secondary', 'aria-label': 'Edit rule ' + rule.id }, 'Edit');
        edit.addEventListener('click', () => editRule(rule));
        const remove = el('button', { type: 'button', class: 'secondary', 'aria-label': 'Delete rule ' + rule.id }, 'Delete');
        remove.addEventListener('click', async () => {
          if (await attempt(() => api('DELETE', '/api/approval-rules/' + encodeURIComponent(rule.id)))) {
            say('Deleted rule ' + rule.id + '.');
            loadRules();
          }
        });
        actions.append(edit, ' ', remove);
      } else {
        actions.append(el('span', { class: 'hint', text: 'read-only' }));
      }
      rows.append(el('tr', { 'data-rule': rule.id },
        el('td', { 'data-label': 'Rule' }, el('code', { text: rule.id })),
        el('td', { 'data-label': 'Source', text: rule.source === 'config'
            ? (rule.location || 'toolgate.yaml') : 'API, by ' + (rule.created_by || '?') }),
        el('td', { 'data-label': 'Action', text: rule.action }),
        el('td', { 'data-label': 'Tools', text: (rule.tools || []).join(', ') }),
        el('td', { 'data-label': 'Condition' }, rule.when ? el('code', { text: rule.when }) : '—'),
        el('td', { 'data-label': 'Description', text: (rule.judged ? 'judged: ' : '') + (rule.rule_text || '') }),
        actions));
    }
  }

  function editRule(rule) {
    state.editing = rule.id;
    $('rule-replaces').value = rule.id;
    $('rule-text').value = rule.rule_text || '';
    $('rule-action').value = rule.action === 'block' ? 'block' : 'approve';
    $('rule-tools').value = (rule.tools || []).filter((t) => !(rule.judged && t === '*')).join(', ');
    $('rule-when').value = rule.when || '';
    $('rule-judged').checked = Boolean(rule.judged);
    $('rule-form-title').textContent = 'Edit API rule ' + rule.id;
    $('rule-submit').textContent = 'Save rule';
    $('rule-cancel').hidden = false;
    $('rule-text').focus();
  }

  function resetRuleForm() {
    state.editing = null;
    $('rule-form').reset();
    $('rule-replaces').value = '';
    $('rule-form-title').textContent = 'Add an API rule';
    $('rule-submit').textContent = 'Add rule';
    $('rule-cancel').hidden = true;
  }

  async function saveRule(event) {
    event.preventDefault();
    const tools = $('rule-tools').value.split(',').map((t) => t.trim()).filter(Boolean);
    const body = { rule_text: $('rule-text').value.trim(), action: $('rule-action').value, tools,
      when: $('rule-when').value.trim() || null, judged: $('rule-judged').checked };
    if (state.editing) body.replaces = state.editing;
    const saved = await attempt(() => api('POST', '/api/approval-rules', body));
    if (saved) {
      say((state.editing ? 'Saved rule ' : 'Added rule ') + saved.id + '.');
      resetRuleForm();
      loadRules();
    }
  }

  async function tryCall(event) {
    event.preventDefault();
    const result = $('try-result');
    let args;
    try {
      args = JSON.parse($('try-args').value || '{}');
    } catch (e) {
      result.replaceChildren(el('p', { class: 'error', text: 'Arguments are not valid JSON: ' + e.message }));
      return;
    }
    const answer = await attempt(() => api('POST', '/api/policies/check',
      { tool: $('try-tool').value.trim(), arguments: args, agent: $('try-agent').value.trim() || null }));
    if (!answer) return;
    result.replaceChildren(el('dl', { 'data-outcome': answer.outcome },
      el('dt', { text: 'Outcome' }), el('dd', {}, badge(answer.outcome)),
      el('dt', { text: 'Matched rules' }), el('dd', { class: 'matched-rules', text: answer.matched_rules.join(', ') || 'none' }),
      el('dt', { text: 'Reasons' }), el('dd', {}, el('ul', {}, answer.reasons.map((r) => el('li', {},
        el('code', { text: r.rule }), ': ' + r.message)))),
      el('dt', { text: 'Risk score' }), el('dd', { text: String(answer.risk_score) }),
      el('dt', { text: 'Judge model' }), el('dd', { text: answer.judge_would_be_asked
        ? 'would be asked about ' + answer.judged_rules.join(', ') : 'not asked' }),
      el('dt', { text: 'Policy version' }), el('dd', { class: 'mono', text: answer.policy_version })));
  }

  // ---- Audit chain -------------------------------------------------------------------------

  async function verifyAudit() {
    const button = $('audit-verify');
    button.disabled = true;
    $('audit-result').replaceChildren(el('p', { text: 'Verifying…' }));
    const answer = await attempt(() => api('GET', '/api/audit/verify'));
    button.disabled = false;
    if (!answer) {
      $('audit-result').replaceChildren();
      return;
    }
    $('audit-result').replaceChildren(answer.valid
      ? el('p', { 'data-valid': 'true' }, badge('allowed'), ' The chain is intact: ' + answer.events + ' events verified.')
      : el('p', { 'data-valid': 'false' }, badge('blocked'), ' The chain is broken at event ' + answer.first_broken_event
        + ': ' + answer.reason));
  }

  // ---- Wiring ------------------------------------------------------------------------------

  function bindStatic() {
    $('sign-in-form').addEventListener('submit', (event) => signIn(event).catch((e) => {
      $('sign-in-error').textContent = e.message;
    }));
    $('sign-out').addEventListener('click', signOut);
    window.addEventListener('hashchange', () => show(location.hash.slice(1)));
    document.querySelector('[data-refresh="pending"]').addEventListener('click', loadPending);
    $('logs-filters').addEventListener('submit', (event) => { event.preventDefault(); state.logsPage = 1; loadLogs(); });
    $('logs-prev').addEventListener('click', () => { state.logsPage = Math.max(1, state.logsPage - 1); loadLogs(); });
    $('logs-next').addEventListener('click', () => { state.logsPage += 1; loadLogs(); });
    $('stats-window').addEventListener('change', loadStats);
    $('kill-form').addEventListener('submit', blockTool);
    $('rule-form').addEventListener('submit', saveRule);
    $('rule-cancel').addEventListener('click', resetRuleForm);
    $('try-form').addEventListener('submit', tryCall);
    $('audit-verify').addEventListener('click', verifyAudit);
    // Ages on the pending page stay current without a reload.
    setInterval(() => { if (state.page === 'pending') loadPending(); }, 30000);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
