// Passport verifier station page. Plain JavaScript, no libraries, no
// network access other than this station's own /api endpoints.
//
// The page shows the station's decision (result.decision, made once in Go by
// policy.Decide) and never makes its own: it only arranges what came back.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const field = $('scan'), scanState = $('scan-state'), resultBox = $('result'), announcer = $('announce');
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const PREFIXES = ['SP1:', 'HC1:'];
  const IDLE_MS = 120;          // a scanner types a code in one burst: look at it after this pause
  const INCOMPLETE_MS = 1500;   // a code with a prefix that is still incomplete after this pause was cut off
  const JOIN_MS = 20000;        // ... and the rest of it is joined if it arrives within this time
  const STALE_MS = 4000;        // text without a prefix, untouched this long (a stray key), is cleared
  const REDIRECT_MS = 300;      // keys this close together are a scanner's, even off the field
  const CLEAR_AFTER_MS = 180000; // a result (a person's details) stays on screen 3 minutes
  const SHIFT_MS = 12 * 3600 * 1000; // the desk name is asked again after a shift
  let idleTimer = 0, clearTimer = 0, lastInput = 0, lastRedirect = 0, seq = 0, incomplete = false;

  // ---------- keeping the scanner's keystrokes ----------
  function focusField() {
    if (document.activeElement !== field) field.focus({ preventScroll: true });
  }
  function idleFocus() {
    const a = document.activeElement;
    if (!a || a === document.body || a === document.documentElement) focusField();
  }
  field.addEventListener('blur', () => setTimeout(idleFocus, 0));
  window.addEventListener('focus', () => setTimeout(idleFocus, 0));
  setInterval(idleFocus, 1000);
  document.addEventListener('click', (e) => {
    if (!e.target.closest('button, .button, input, video, a, form')) focusField();
  });
  // Keys that land anywhere else (a button has focus) are added to the field:
  // a USB scanner is a keyboard and does not know where the focus is. Other
  // text fields (the desk name) keep a person's keys, but a scanner's burst
  // is taken from them (takeBurst): no other field ever holds a code.
  document.addEventListener('keydown', (e) => {
    if (e.target === field || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.closest && e.target.closest('input, textarea, select')) { takeBurst(e); return; }
    const now = Date.now();
    if (e.key === 'Escape') { e.preventDefault(); clearAll(); return; }
    const recent = now - lastRedirect < REDIRECT_MS;
    if (e.key.length === 1 && (e.key !== ' ' || recent)) {
      // Moving the focus during keydown makes the browser insert the
      // character into the field (its input event then does the rest).
      focusField();
      lastRedirect = now;
    } else if (e.key === 'Enter' && recent) {
      e.preventDefault();
      focusField();
      onEnter();
    }
  }, true);
  // A scanner types a whole code in one burst, a few milliseconds a key;
  // a person at least BURST_MS between keys. Keys in another text field
  // are watched: once a burst holds a code's prefix it is a scan, so what
  // the burst typed there goes back out of that field into the scan
  // field, with the focus, and the rest of the code follows it.
  const BURST_MS = 60;
  let burst = null; // {el, before, keys, at}: the burst typing into another field
  function takeBurst(e) {
    const t = e.target;
    if (!(t instanceof HTMLInputElement) || t.type === 'file') return;
    const now = Date.now();
    if (!burst || burst.el !== t || now - burst.at > BURST_MS) burst = { el: t, before: t.value, keys: '' };
    burst.at = now;
    if (e.key.length !== 1) { if (e.key !== 'Shift' && e.key !== 'CapsLock') burst = null; return; }
    burst.keys += e.key;
    if (!looksLikeCode(burst.keys)) return;
    const keys = burst.keys.slice(0, -1); // this key is typed into the scan field by the browser
    t.value = burst.before;
    burst = null;
    t.dispatchEvent(new Event('input'));
    scanArrived();
    field.value = keys;
    focusField();
    field.setSelectionRange(keys.length, keys.length);
  }
  // looksLikeCode reports text that holds a passport's prefix, or a run of
  // characters no name has (base45 capitals and digits, no space): the desk
  // name box refuses it, so a code can never be kept as a name.
  function looksLikeCode(s) {
    return /(SP1|HC1):/i.test(s) || /[0-9A-Z$%*+\-.\/:]{20,}/.test(s);
  }
  // scanArrived: a new scan replaces what is shown, so an Accept or Refuse
  // waiting for the desk name belonged to the previous person and is
  // dropped, never recorded against the new one.
  function scanArrived() {
    if (pendingAction) {
      pendingAction = null;
      $('operator-form').hidden = true;
    }
  }
  field.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === 'Tab' && field.value.trim() !== '') { e.preventDefault(); onEnter(); }
    else if (e.key === 'Escape') { e.preventDefault(); clearAll(); }
  });
  field.addEventListener('input', onInput);

  function onInput() {
    lastInput = Date.now();
    clearTimeout(idleTimer);
    if (field.value.trim() === '') { setScanState('Ready'); return; }
    if (!incomplete) setScanState('Reading…');
    idleTimer = setTimeout(checkComplete, IDLE_MS);
  }

  // upper upper-cases ASCII letters only: base45 has no lower case, so a
  // code typed with Caps Lock on is recovered exactly.
  function upper(s) { return s.replace(/[a-z]/g, (c) => c.toUpperCase()); }

  // hasCode reports whether the buffer holds a passport prefix (SP1: or
  // HC1:, any case, after a stray key or an AIM identifier like ]Q1).
  // Whether what follows is a whole code is the station's to say (ask).
  function hasCode(raw) {
    const s = upper(raw);
    return PREFIXES.some((p) => s.includes(p));
  }

  // The scanner may or may not send Enter, and may pause inside a code.
  // After each pause the page asks the station whether the text is a whole
  // code (the verifier's rule, one for the page, the API and the CLI); a
  // whole one is checked and shown at once. One that stops before a code
  // could is still incomplete after a pause: the page says "incomplete,
  // scan again" and joins the rest if it comes.
  let asking = false;
  async function checkComplete() {
    const raw = field.value;
    const quiet = Date.now() - lastInput;
    if (!hasCode(raw)) {
      if (quiet >= STALE_MS) { field.value = ''; setScanState('Ready'); return; }
      setScanState('Press Enter to check');
      idleTimer = setTimeout(checkComplete, STALE_MS - quiet);
      return;
    }
    if (await ask(raw)) return;
    const q = Date.now() - lastInput;
    if (field.value !== raw) return; // more came while asking: its own pause asks again
    if (q >= JOIN_MS) { field.value = ''; incomplete = false; setScanState('Ready'); return; }
    if (q >= INCOMPLETE_MS && !incomplete) showIncomplete();
    idleTimer = setTimeout(checkComplete, q < INCOMPLETE_MS ? Math.min(300, INCOMPLETE_MS - q) : JOIN_MS - q);
  }

  function onEnter() {
    clearTimeout(idleTimer);
    const raw = field.value.trim();
    if (!raw) return;
    if (!hasCode(raw)) { submitRaw(raw); return; }
    // Enter with a prefix: a cut-off code is never judged on half its
    // data; the station says whether it is whole.
    (async () => {
      if (await ask(raw)) return;
      showIncomplete();
      idleTimer = setTimeout(checkComplete, JOIN_MS);
    })();
  }

  // ask posts the text with partial=1: the station answers "incomplete"
  // (nothing logged) or checks it as any scan, and then the page shows the
  // answer, takes the text out of the field and returns true. Only one
  // question is out at a time; a pause while one is out asks again after.
  async function ask(raw) {
    if (asking) { idleTimer = setTimeout(checkComplete, IDLE_MS); return true; }
    asking = true;
    let r = null, j = null;
    try {
      r = await fetch('/api/verify?partial=1', {
        method: 'POST', headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Accept': 'application/json' }, body: raw,
      });
      j = await r.json();
    } catch (e) {
      asking = false;
      showProblem('The station did not answer. Check the black passport window is still open on this computer (or start the station again), then scan again.');
      return true;
    }
    asking = false;
    if (r.ok && j.incomplete) return false;
    fromFile = false;
    // Whole: what the scanner typed after it stays in the field.
    field.value = field.value.startsWith(raw) ? field.value.slice(raw.length).replace(/^\s+/, '') : '';
    incomplete = false;
    setScanState('Ready');
    scanArrived();
    seq++;
    if (!r.ok) showProblem(j && j.error ? j.error.message : 'The station refused the request (' + r.status + ').');
    else render(j);
    if (field.value.trim() !== '') onInput();
    return true;
  }

  function setScanState(s, warn) {
    scanState.textContent = s;
    scanState.classList.toggle('warn', !!warn);
  }

  function showIncomplete() {
    incomplete = true;
    setScanState('Incomplete: scan again', true);
    const node = decisionNode({ code: 'incomplete', headline: 'INCOMPLETE',
      reason: 'Only part of the code arrived.',
      next_step: 'Scan the code again, holding it still; if the rest arrives now it is joined.' });
    node.dataset.decision = 'incomplete';
    setResult([node]);
    announce('Incomplete scan: scan the code again.');
  }

  // submitRaw sends text without a passport prefix (a staff number typed and
  // Entered): the station answers "not a passport", and logs none of it.
  function submitRaw(text) {
    clearTimeout(idleTimer);
    field.value = '';
    incomplete = false;
    setScanState('Ready');
    post(text, 'text/plain; charset=utf-8', '');
  }

  function clearAll() {
    clearTimeout(idleTimer);
    field.value = '';
    incomplete = false;
    setScanState('Ready');
    stopCamera();
    showIdle();
    focusField();
  }

  // ---------- the person at the desk ----------
  function operator() {
    try {
      const o = JSON.parse(localStorage.getItem('passport.operator') || 'null');
      if (o && o.name && Date.now() - o.at < SHIFT_MS) return o.name;
    } catch (e) { /* no storage: ask each time */ }
    return '';
  }
  function showOperator() {
    const n = operator();
    $('operator-name').textContent = n || 'not set';
    $('operator-change').textContent = n ? 'Change' : 'Set';
  }
  function askOperator(why) {
    const f = $('operator-form');
    f.hidden = false;
    if (why) f.querySelector('label').textContent = why;
    $('operator-input').value = operator();
    $('operator-input').focus();
  }
  $('operator-change').addEventListener('click', () => askOperator());
  $('operator-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const n = $('operator-input').value.trim();
    if (!n) return;
    if (looksLikeCode(n)) {
      $('operator-input').value = '';
      $('operator-error').hidden = false;
      $('operator-error').textContent = 'That looks like a passport code, not a name: type your name.';
      return;
    }
    $('operator-error').hidden = true;
    try { localStorage.setItem('passport.operator', JSON.stringify({ name: n, at: Date.now() })); } catch (err) { /* kept for this page only */ }
    memOperator = n;
    $('operator-form').hidden = true;
    showOperator();
    document.querySelectorAll('#result .act-as').forEach(showAs);
    if (pendingAction) { const p = pendingAction; pendingAction = null; p(); }
    focusField();
  });
  let memOperator = '', pendingAction = null;
  // showAs says, beside Accept and Refuse, under which name a press is kept.
  function showAs(as) {
    const who = desk();
    as.textContent = who ? 'Recorded as ' + who + '. Not you? ' : '';
    if (who) {
      const ch = el('button', 'link', 'Change');
      ch.type = 'button';
      ch.addEventListener('click', () => askOperator());
      as.append(ch);
    }
  }
  function desk() { return operator() || memOperator; }

  async function press(token, action, node, reason) {
    const by = desk();
    if (!by) {
      pendingAction = () => press(token, action, node, reason);
      askOperator('Type your name for this shift first (it is kept with each Accept or Refuse you press)');
      return;
    }
    const st = node.querySelector('.act-state');
    st.textContent = 'Recording…';
    try {
      const r = await fetch('/api/action', {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
        body: JSON.stringify(reason ? { token, action, by, reason } : { token, action, by }),
      });
      const j = await r.json();
      if (!r.ok) { st.textContent = j && j.error ? j.error.message : 'Not recorded (' + r.status + ').'; return; }
      // One decision per check: it is recorded and cannot be pressed again.
      node.querySelectorAll('.act').forEach((b) => { b.setAttribute('aria-pressed', String(b.dataset.action === action)); b.disabled = true; });
      node.querySelector('.override').hidden = true;
      st.textContent = (action === 'accepted' ? 'Accepted' : 'Refused') + ' by ' + j.by + ' at ' + clock() + ': recorded.';
    } catch (e) {
      st.textContent = 'Not recorded: the station did not answer.';
    }
    focusField();
  }

  // ---------- talking to the station ----------
  let fromFile = false; // the result shown came from a file (picked or dropped)
  async function post(body, type, query) {
    scanArrived();
    const my = ++seq;
    fromFile = query.startsWith('?name=');
    showBusy();
    let j = null;
    try {
      const r = await fetch('/api/verify' + query, {
        method: 'POST', headers: { 'Content-Type': type, 'Accept': 'application/json' }, body,
      });
      j = await r.json();
      if (my !== seq) return;
      if (!r.ok) showProblem(j && j.error ? j.error.message : 'The station refused the request (' + r.status + ').');
      else render(j);
    } catch (e) {
      if (my === seq) showProblem('The station did not answer. Check the black passport window is still open on this computer (or start the station again), then scan again.');
    }
  }

  async function refreshStatus() {
    try {
      const r = await fetch('/api/status', { headers: { 'Accept': 'application/json' } });
      const j = await r.json();
      setToday(j.today);
      const pn = $('policy-name');
      // A station started without a site policy says so: a genuine
      // passport with nothing lapsed is then ACCEPT whatever the role.
      pn.hidden = false;
      pn.classList.toggle('no-policy', !j.policy);
      pn.textContent = j.policy ? 'Policy: ' + j.policy : 'No site policy: only the signature and dates are checked';
      trustPill(j);
      setBanner(j.warnings || []);
    } catch (e) { /* next refresh will tell */ }
  }

  // trustPill shows the trust list's version and expiry; sync-info, when
  // the station refreshes its list itself (serve --sync), how that goes.
  function trustPill(j) {
    const p = $('trust-pill');
    const tl = j.trust_list;
    p.hidden = !tl;
    if (tl) {
      p.textContent = 'Trust list v' + tl.version + (tl.expires ? ', to ' + day(tl.expires) : '');
      p.classList.toggle('stale', !!tl.expired);
    }
    const si = $('sync-info');
    si.hidden = !j.sync;
    if (j.sync) {
      si.textContent = 'Trust list refreshed ' + (j.sync.last_refreshed ? day(j.sync.last_refreshed) : 'never') +
        (j.sync.stale_at ? ' · stale after ' + day(j.sync.stale_at) : '') + (j.sync.last_error ? ' · last refresh failed' : '');
      si.classList.toggle('stale', !!j.sync.last_error);
    }
  }

  function setToday(n) { if (typeof n === 'number' && n >= 0) $('today').textContent = String(n); }

  function setBanner(warnings) {
    const b = $('trust-banner');
    const w = warnings.filter((x) => /^trust_|issuer_unknown/.test(x.code));
    b.hidden = w.length === 0;
    b.textContent = w.map((x) => sentence(x.message)).join(' ');
  }

  // ---------- showing results ----------
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // bdi wraps text that comes from a passport in an isolate: whatever
  // direction its characters have, they cannot reorder the words around it
  // (the station has already made hidden characters visible as ⟦U+…⟧).
  function bdi(text) {
    const b = document.createElement('bdi');
    b.textContent = text;
    return b;
  }
  function sentence(s) { return s ? s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.') : ''; }
  function day(iso) {
    if (!iso || iso.length < 10) return '—';
    const y = iso.slice(0, 4), m = +iso.slice(5, 7), d = iso.slice(8, 10);
    return d + ' ' + (MONTHS[m - 1] || '?') + ' ' + y;
  }
  function clock() {
    const t = new Date();
    return String(t.getHours()).padStart(2, '0') + ':' + String(t.getMinutes()).padStart(2, '0') + ':' + String(t.getSeconds()).padStart(2, '0');
  }
  function words(code) { return code ? code.replace(/[_-]+/g, ' ') : ''; }

  // announce says one short sentence to screen readers: never the tables,
  // never "Checking…". It empties the region first so that the same
  // sentence twice (two scans of one passport) is still spoken.
  let announceTimer = 0;
  function announce(s) {
    announcer.textContent = '';
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => { announcer.textContent = s; }, 60);
  }
  function spoken(d, name) {
    const reason = (d.reason || '').replace(/[.!?]+$/, '').replace(/[.!?] +/g, '; ');
    const head = d.headline.charAt(0) + d.headline.slice(1).toLowerCase();
    return head + (name ? ', ' + name.replace(/[.!?]/g, '') : '') + (reason ? ': ' + lowerFirst(reason) : '') + '.';
  }

  // lowerFirst lowers a sentence's first letter for use after a colon, but
  // not an acronym's ("DBS check", never "dBS check", which a screen reader
  // spells out).
  function lowerFirst(s) {
    return /^[A-Z][A-Z0-9]/.test(s) ? s : s.charAt(0).toLowerCase() + s.slice(1);
  }
  function setResult(nodes) {
    resultBox.replaceChildren(...nodes);
    // On a phone the scan field and buttons fill the first screen: bring
    // the decision, the next step and the name up to it.
    if (window.matchMedia && window.matchMedia('(max-width: 600px)').matches) resultBox.scrollIntoView({ block: 'start' });
    clearTimeout(clearTimer);
    clearTimer = setTimeout(showIdle, CLEAR_AFTER_MS);
  }
  function showIdle() {
    const p = el('div', 'panel idle');
    p.id = 'idle';
    const t = el('div', 'panel-text');
    t.append(el('div', 'word', 'Waiting for a passport'), el('div', 'sub', 'Scan the code on the paper, drop a scan here, or use the camera.'));
    p.append(t);
    resultBox.replaceChildren(p);
    clearTimeout(clearTimer);
  }
  function showBusy() {
    const p = el('div', 'panel busy');
    p.append(el('div', 'word', 'Checking…'));
    resultBox.replaceChildren(p);
  }
  function showProblem(msg) {
    const node = decisionNode({ code: 'cannot_read', headline: 'CANNOT CHECK', reason: msg, next_step: 'Try again; if it keeps failing, tell IT.' });
    setResult([node]);
    announce('Cannot check: ' + msg.replace(/[.!?]+$/, '').replace(/[.!?] +/g, '; ') + '.');
  }

  const STYLE = {
    accept: ['d-accept', '✓'], check_needed: ['d-check', '!'], do_not_accept: ['d-stop', '✕'],
    not_a_passport: ['d-neutral', '?'], cannot_read: ['d-neutral', '?'], incomplete: ['d-neutral', '…'],
    several: ['d-check', '!'],
  };

  // decisionNode makes an article with only the decision panel filled in.
  function decisionNode(d) {
    const node = $('t-result').content.firstElementChild.cloneNode(true);
    const q = (s) => node.querySelector(s);
    const [cls, icon] = STYLE[d.code] || ['d-stop', '✕'];
    node.dataset.decision = d.code;
    q('.decision').classList.add(cls);
    q('.icon').textContent = icon;
    q('.word').textContent = d.headline;
    q('.when').textContent = 'Checked ' + clock();
    const list = d.reasons && d.reasons.length ? d.reasons : null;
    if (list && d.code === 'check_needed') {
      // The items to check come first, in large type; the reason is the first of them.
      const ul = q('.check-list');
      ul.hidden = false;
      list.forEach((x) => ul.append(el('li', '', x)));
      q('.reason').hidden = true;
    } else {
      q('.reason').textContent = d.reason || '';
    }
    q('.next-text').textContent = d.next_step || '';
    return node;
  }

  const POLICY = {
    met: ['✓', 'Meets site policy'],
    expiring_soon: ['✓', 'Meets site policy — some items lapse soon'],
    not_met: ['✗', 'Does not meet site policy'],
  };
  const DOCS = { staff_passport: 'Staff passport', eu_dcc: 'EU Digital COVID Certificate (not a staff passport)' };

  function render(j) {
    setToday(j.today);
    const results = j.results || [];
    if (results.length === 0) { showProblem('No result came back.'); return; }
    const warnings = [];
    results.forEach((r) => (r.warnings || []).forEach((w) => warnings.push(w)));
    if (warnings.some((w) => w.code === 'trust_list_expired')) setBanner(warnings);
    const nodes = results.map((r, i) => verdict(r, (j.actions || [])[i] || ''));
    if (results.length > 1) {
      // Several people in one input: no one person's decision goes on top,
      // where it would be read as the answer for whoever is at the desk.
      const n = results.length, where = fromFile ? 'in this file' : 'in this scan';
      const head = decisionNode({ code: 'several', headline: n + ' PASSPORTS ' + where.toUpperCase() + ': CHECK EACH PERSON',
        reason: 'Each passport is shown below with its own decision.',
        next_step: 'Match each person at the desk to their own passport below (name and photo ID), and decide for each one separately.' });
      head.classList.add('several');
      setResult([head, ...nodes]);
      announce(n + ' passports ' + where + ': check each person.');
      return;
    }
    setResult(nodes);
    const first = results[0];
    const name = first.claims ? first.claims.person.name : (first.subject || '');
    announce(spoken(first.decision || fallback(first), name));
  }

  // fallback is used only if a result carries no decision (an older station).
  function fallback(r) {
    return r.status === 'valid' ? { code: 'check_needed', headline: 'CHECK NEEDED', reason: 'No decision came back.', next_step: 'Check the details below.' }
      : { code: 'cannot_read', headline: 'CANNOT READ', reason: 'No decision came back.', next_step: 'Scan again.' };
  }

  function verdict(r, token) {
    const d = r.decision || fallback(r);
    const node = decisionNode(d);
    const q = (s) => node.querySelector(s);
    node.dataset.status = r.status;
    if (token) {
      q('.actions').hidden = false;
      // Who is recorded, where it is pressed: a colleague who takes over
      // the desk sees the previous name before pressing, not after.
      showAs(q('.act-as'));
      const [a, b] = node.querySelectorAll('.act');
      a.dataset.action = 'accepted';
      b.dataset.action = 'refused';
      // Accepting against CHECK NEEDED is an override: it asks why first.
      if (d.code === 'check_needed') {
        const f = q('.override');
        a.addEventListener('click', () => { f.hidden = false; f.querySelector('input').focus(); });
        f.addEventListener('submit', (e) => {
          e.preventDefault();
          const why = f.querySelector('input').value.trim();
          if (why && !looksLikeCode(why)) press(token, 'accepted', node, why);
        });
      } else {
        a.addEventListener('click', () => press(token, 'accepted', node));
      }
      b.addEventListener('click', () => press(token, 'refused', node));
    }
    if (r.status === 'valid') {
      const sig = q('.signature');
      sig.append('Signature: genuine, signed by ', bdi(r.issuer_name || r.issuer));
      // A DCC signer's key often has one name for both: say it once.
      if (r.issuer_name && r.issuer && r.issuer_name !== r.issuer) sig.append(' (', bdi(r.issuer), ')');
      sig.append('.');
    } else if (r.status === 'invalid' && d.code === 'do_not_accept') {
      const ul = q('.reasons');
      ul.hidden = false;
      (r.reasons || []).forEach((x) => { const li = el('li', '', sentence(x.message)); li.dataset.code = x.code; ul.append(li); });
    }
    if (r.warnings && r.warnings.length) {
      const ul = q('.warnings');
      ul.hidden = false;
      r.warnings.forEach((x) => { const li = el('li', '', sentence(x.message)); li.dataset.code = x.code; ul.append(li); });
    }
    const pol = r.policy;
    if (pol && POLICY[pol.status]) {
      const p = q('.policy');
      p.hidden = false;
      p.classList.add(pol.status);
      p.dataset.status = pol.status;
      q('.policy-icon').textContent = POLICY[pol.status][0];
      q('.policy-word').textContent = POLICY[pol.status][1];
      q('.policy-sub').textContent = pol.summary;
    }
    const c = r.claims;
    if (c) person(node, r, c);
    else if (r.dcc) dccPerson(node, r);
    if (c) tables(node, c, pol && pol.status !== 'not_evaluated' ? pol : null);
    return node;
  }

  function person(node, r, c) {
    const q = (s) => node.querySelector(s);
    q('.person').hidden = false;
    q('.doc-kind').textContent = DOCS[r.document] || 'Staff passport';
    q('.name').replaceChildren(bdi(c.person.name));
    // The employer of record is the signing organisation.
    const role = q('.role');
    [c.employment.role, r.issuer_name || r.issuer || c.employment.org_name].filter(Boolean).forEach((x, i) => {
      if (i) role.append(' · ');
      role.append(bdi(x));
    });
    const facts = q('.facts');
    const fact = (k, v) => { if (v) { const dd = el('dd'); dd.append(bdi(v)); facts.append(el('dt', '', k), dd); } };
    fact('Date of birth', c.person.date_of_birth ? day(c.person.date_of_birth) : '');
    fact('Staff number', c.person.staff_number);
    fact('Registration', c.person.registration);
    // Only a passport found valid is called valid: a revoked or expired one
    // shows the dates printed on it, and what ended it.
    const codes = (r.reasons || []).map((x) => x.code);
    if (r.status === 'valid') fact('Passport valid', day(c.nbf) + ' to ' + day(c.exp));
    else fact('Dates on the passport', day(c.nbf) + ' to ' + day(c.exp) +
      (codes.includes('revoked') ? ' (withdrawn by the issuer)' : codes.includes('expired') ? ' (expired)' : ' (not valid)'));
    fact('Passport id', r.credential_id);
  }

  function dccPerson(node, r) {
    const q = (s) => node.querySelector(s);
    q('.person').hidden = false;
    q('.doc-kind').textContent = DOCS.eu_dcc;
    const n = r.dcc.nam || {};
    const parts = [n.gn, n.fn].filter(Boolean);
    if (!parts.length && r.subject) parts.push(r.subject);
    parts.forEach((x, i) => { if (i) q('.name').append(' '); q('.name').append(bdi(x)); });
    const facts = q('.facts');
    if (r.dcc.dob) facts.append(el('dt', '', 'Date of birth'), el('dd', '', day(r.dcc.dob)));
  }

  function levelText(x) { return x.level_name || x.level_label || words(x.level); }

  function tag(req) {
    const td = el('td');
    td.dataset.label = 'Site policy';
    if (!req) return td;
    const w = { met: 'Met', expiring_soon: 'Lapses soon', not_met: 'Not met' };
    td.append(el('span', 'tag ' + req.status, w[req.status] || req.status), el('span', 'why', sentence(req.reason)));
    return td;
  }
  function cell(label, text, cls) { const td = el('td', cls || ''); td.append(bdi(text)); td.dataset.label = label; return td; }
  function newer(td, x) { if (x.not_recognised) td.append(' ', el('span', 'tag newer', 'Newer format: not checked here')); return td; }

  function tables(node, c, pol) {
    node.querySelector('.tables').hidden = false;
    const reqs = {};
    const used = {};
    if (pol) pol.requirements.forEach((x) => { reqs[x.kind + ':' + x.code] = x; });
    if (!pol) node.querySelectorAll('.pcol').forEach((th) => th.remove());
    const expiry = (iso, expired) => (!iso ? 'No expiry' : (expired ? 'LAPSED ' : '') + day(iso));
    const body = node.querySelector('table.checks tbody');
    c.checks.forEach((ch) => {
      const tr = el('tr', ch.expired ? 'lapsed' : '');
      const lv = levelText(ch);
      tr.append(newer(cell('Check', ch.name + (lv ? ' (' + lv + ')' : '')), ch),
        cell('Outcome', ch.outcome_label || ch.outcome), cell('Done', day(ch.done)), cell('Expires', expiry(ch.expires, ch.expired), 'exp'));
      const key = 'check:' + ch.type;
      if (pol) { tr.append(tag(used[key] ? null : reqs[key])); used[key] = true; }
      body.append(tr);
    });
    const tbody = node.querySelector('table.training tbody');
    c.training.forEach((t) => {
      const tr = el('tr', t.expired ? 'lapsed' : '');
      const lv = levelText(t);
      tr.append(newer(cell('Subject', t.name + (lv ? ' (' + lv + ')' : '')), t), cell('Completed', day(t.completed)),
        cell('Expires', expiry(t.expires, t.expired), 'exp'));
      const key = 'training:' + t.subject;
      if (pol) { tr.append(tag(used[key] ? null : reqs[key])); used[key] = true; }
      tbody.append(tr);
    });
    if (pol) {
      pol.requirements.forEach((x) => {
        const key = x.kind + ':' + x.code;
        if (used[key]) return;
        const tr = el('tr', 'extra');
        const target = x.kind === 'check' ? body : tbody;
        tr.append(cell(x.kind === 'check' ? 'Check' : 'Subject', x.name), cell('On the passport', 'Not on the passport'));
        const blanks = x.kind === 'check' ? 2 : 1;
        for (let i = 0; i < blanks; i++) tr.append(el('td'));
        tr.append(tag(x));
        target.append(tr);
      });
    }
    if (!c.checks.length && !(pol && pol.requirements.some((x) => x.kind === 'check'))) body.append(emptyRow(4));
    if (!c.training.length && !(pol && pol.requirements.some((x) => x.kind === 'training'))) tbody.append(emptyRow(3));
  }
  function emptyRow(n) {
    const tr = el('tr', 'extra');
    const td = el('td', '', 'None recorded');
    td.colSpan = n;
    tr.append(td);
    return tr;
  }

  // ---------- files: picker and drag-and-drop ----------
  function sendFile(f) {
    if (!f) return;
    post(f, f.type || 'application/octet-stream', '?name=' + encodeURIComponent(f.name));
    focusField();
  }
  const fileInput = $('file');
  fileInput.addEventListener('change', () => { sendFile(fileInput.files[0]); fileInput.value = ''; });
  $('file-button').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); e.stopPropagation(); fileInput.click(); }
  });
  const drop = $('drop');
  let dragDepth = 0;
  window.addEventListener('dragenter', (e) => { e.preventDefault(); dragDepth++; drop.hidden = false; });
  window.addEventListener('dragover', (e) => { e.preventDefault(); });
  window.addEventListener('dragleave', () => { if (--dragDepth <= 0) { dragDepth = 0; drop.hidden = true; } });
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    dragDepth = 0;
    drop.hidden = true;
    if (e.dataTransfer.files.length) sendFile(e.dataTransfer.files[0]);
    else { const t = e.dataTransfer.getData('text/plain'); if (t) { field.value = t; onEnter(); } }
  });

  // ---------- webcam ----------
  const video = $('video');
  const canvas = document.createElement('canvas');
  // One frame at a time: the next is taken FRAME_MS after the answer to the
  // last, so frames that arrive while the station decodes are never sent.
  // Each answer says where the code (or its corner squares) was seen; that
  // region goes back with the next frame (roi=x,y,w,h, in the frame's
  // pixels), whose decode starts there.
  let stream = null, camTimer = 0, camStarted = 0, camRegion = null, camSize = '';
  const FRAME_MS = 100, CAMERA_MAX_MS = 120000, FRAME_MAX_SIDE = 1600;
  const HINTS = {
    move_closer: 'Move the code closer: it should fill about a third of the picture.',
    hold_still: 'Hold still: the picture is blurred.',
    no_code: 'Hold the passport’s square code up to the camera.',
  };
  // Plain words for the browser's camera errors (never "NotAllowedError").
  const CAMERA_ERRORS = {
    NotAllowedError: 'The camera is blocked for this page. Allow it (the camera symbol in the address bar), then press “Use camera” again.',
    SecurityError: 'The browser allows the camera only at the station’s own address: open http://127.0.0.1 on this computer (not its network name).',
    NotFoundError: 'No camera was found. Plug one in, or use the USB scanner instead.',
    OverconstrainedError: 'No camera was found. Plug one in, or use the USB scanner instead.',
    NotReadableError: 'The camera is in use by another program (a video call?). Close it, then press “Use camera” again.',
    AbortError: 'The camera stopped while starting. Press “Use camera” to try again.',
  };
  function camState(s) { $('camera-state').textContent = s; }
  async function startCamera() {
    $('camera').hidden = false;
    video.hidden = false;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      camState(CAMERA_ERRORS.SecurityError);
      return;
    }
    stopCamera();
    $('camera').hidden = false;
    video.hidden = false;
    camState('Starting the camera…');
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { facingMode: 'environment', width: { ideal: 1920 }, height: { ideal: 1080 } } });
    } catch (e) {
      video.hidden = true;
      camState(CAMERA_ERRORS[e.name] || 'The camera could not be started. Check it is connected, then press “Use camera” again.');
      return;
    }
    video.srcObject = stream;
    try { await video.play(); } catch (e) { /* autoplay of a muted stream is allowed */ }
    camStarted = Date.now();
    camState(HINTS.no_code);
    nextFrame();
  }
  function stopCamera(msg) {
    clearTimeout(camTimer);
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    camRegion = null;
    video.srcObject = null;
    video.hidden = true;
    if (msg) camState(msg); else $('camera').hidden = true;
  }
  function nextFrame() { if (stream) camTimer = setTimeout(grab, FRAME_MS); }
  async function grab() {
    if (!stream) return;
    if (Date.now() - camStarted > CAMERA_MAX_MS) { stopCamera('Stopped after 2 minutes without reading a code. Press “Use camera” to try again.'); return; }
    const w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) { nextFrame(); return; }
    const k = Math.min(1, FRAME_MAX_SIDE / Math.max(w, h));
    canvas.width = Math.round(w * k);
    canvas.height = Math.round(h * k);
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((res) => canvas.toBlob(res, 'image/jpeg', 0.9));
    // A region is only meaningful for frames of the size it was found in.
    const size = canvas.width + 'x' + canvas.height;
    if (size !== camSize) { camRegion = null; camSize = size; }
    const roi = camRegion ? '&roi=' + [camRegion.x, camRegion.y, camRegion.w, camRegion.h].join(',') : '';
    try {
      const r = await fetch('/api/verify?source=camera' + roi, { method: 'POST', headers: { 'Content-Type': 'image/jpeg', 'Accept': 'application/json' }, body: blob });
      if (r.ok) {
        const j = await r.json();
        if (stream && j.results.some((x) => x.status !== 'unreadable')) {
          stopCamera('Code read. Press “Use camera” for the next one.');
          scanArrived();
          seq++;
          fromFile = false;
          render(j);
          return;
        }
        camRegion = validRegion(j.region, canvas.width, canvas.height);
        if (stream) camState(HINTS[j.hint] || HINTS.no_code);
      } else {
        camRegion = null;
      }
    } catch (e) { /* keep trying */ }
    nextFrame();
  }
  // validRegion keeps a region only if it is whole pixels inside the frame.
  function validRegion(g, w, h) {
    if (!g || ![g.x, g.y, g.w, g.h].every(Number.isInteger)) return null;
    if (g.x < 0 || g.y < 0 || g.w <= 0 || g.h <= 0 || g.x + g.w > w || g.y + g.h > h) return null;
    return g;
  }
  $('camera-button').addEventListener('click', () => { startCamera(); focusField(); });
  $('camera-stop').addEventListener('click', () => { stopCamera(); focusField(); });
  $('clear-button').addEventListener('click', clearAll);

  showOperator();
  refreshStatus();
  setInterval(refreshStatus, 60000);
  focusField();
})();
