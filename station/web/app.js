// Passport verifier station page. Plain JavaScript, no libraries, no
// network access other than this station's own /api endpoints.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const field = $('scan'), scanState = $('scan-state'), resultBox = $('result');
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
  const IDLE_MS = 120;        // a scanner types a code in one burst: check after this pause
  const GIVE_UP_MS = 2000;    // an incomplete code with no more keys for this long is sent anyway
  const REDIRECT_MS = 300;    // keys this close together are a scanner's, even off the field
  const CLEAR_AFTER_MS = 180000; // a result (a person's details) stays on screen 3 minutes
  let idleTimer = 0, clearTimer = 0, lastInput = 0, lastRedirect = 0, seq = 0;

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
    if (!e.target.closest('button, .button, input, video, a')) focusField();
  });
  // Keys that land anywhere else (a button has focus) are added to the field:
  // a USB scanner is a keyboard and does not know where the focus is.
  document.addEventListener('keydown', (e) => {
    if (e.target === field || e.ctrlKey || e.metaKey || e.altKey) return;
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
      submitText();
    }
  }, true);
  field.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); submitText(); }
    else if (e.key === 'Escape') { e.preventDefault(); clearAll(); }
  });
  field.addEventListener('input', onInput);

  function onInput() {
    lastInput = Date.now();
    clearTimeout(idleTimer);
    if (field.value.trim() === '') { setScanState('Ready'); return; }
    setScanState('Reading…');
    idleTimer = setTimeout(checkComplete, IDLE_MS);
  }

  // The scanner may or may not send Enter, and may deliver a code in pieces.
  // A code is sent when it is complete (its base45 decodes and its zlib
  // stream ends), or when nothing more has arrived for GIVE_UP_MS.
  async function checkComplete() {
    const text = field.value.trim().toUpperCase();
    if (!text) return;
    const prefixed = /^(SP1|HC1):/.test(text);
    if (prefixed && await complete(text)) {
      if (field.value.trim().toUpperCase() === text) submitText();
      return;
    }
    const quiet = Date.now() - lastInput;
    if (prefixed && quiet >= GIVE_UP_MS) { submitText(); return; }
    if (!prefixed) { setScanState('Press Enter to check'); return; }
    idleTimer = setTimeout(checkComplete, Math.min(300, GIVE_UP_MS - quiet));
  }

  function base45(s) {
    const out = [];
    for (let i = 0; i < s.length; i += 3) {
      const c = Array.from(s.slice(i, i + 3), (ch) => B45.indexOf(ch));
      if (c.some((x) => x < 0) || c.length === 1) return null;
      if (c.length === 3) {
        const n = c[0] + c[1] * 45 + c[2] * 2025;
        if (n > 65535) return null;
        out.push(n >> 8, n & 255);
      } else {
        const n = c[0] + c[1] * 45;
        if (n > 255) return null;
        out.push(n);
      }
    }
    return new Uint8Array(out);
  }

  async function complete(text) {
    const bytes = base45(text.slice(4));
    if (!bytes) return false;
    if (typeof DecompressionStream === 'undefined') return Date.now() - lastInput >= 400;
    try {
      const ds = new DecompressionStream('deflate');
      const w = ds.writable.getWriter();
      w.write(bytes).catch(() => {});
      w.close().catch(() => {});
      await new Response(ds.readable).arrayBuffer();
      return true;
    } catch (e) {
      return false;
    }
  }

  function setScanState(s, off) {
    scanState.textContent = s;
    scanState.classList.toggle('off', !!off);
  }

  function submitText() {
    clearTimeout(idleTimer);
    const text = field.value.trim().toUpperCase(); // base45 has no lower case: Caps Lock is harmless
    field.value = '';
    setScanState('Ready');
    if (text) post(text, 'text/plain; charset=utf-8', '');
  }

  function clearAll() {
    clearTimeout(idleTimer);
    field.value = '';
    setScanState('Ready');
    stopCamera();
    showIdle();
    focusField();
  }

  // ---------- talking to the station ----------
  async function post(body, type, query) {
    const my = ++seq;
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
      if (my === seq) showProblem('The station did not answer: check that “passport serve” is still running, then try again.');
    }
  }

  async function refreshStatus() {
    try {
      const r = await fetch('/api/status', { headers: { 'Accept': 'application/json' } });
      const j = await r.json();
      setToday(j.today);
      const pn = $('policy-name');
      pn.hidden = !j.policy;
      pn.textContent = j.policy ? 'Policy: ' + j.policy : '';
      setBanner(j.warnings || []);
    } catch (e) { /* next refresh will tell */ }
  }

  function setToday(n) { if (typeof n === 'number' && n >= 0) $('today').textContent = String(n); }

  function setBanner(warnings) {
    const b = $('trust-banner');
    const w = warnings.filter((x) => x.code === 'trust_list_expired' || x.code === 'issuer_unknown' || x.code === 'trust_store_error');
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

  function setResult(nodes) {
    resultBox.replaceChildren(...nodes);
    clearTimeout(clearTimer);
    clearTimer = setTimeout(showIdle, CLEAR_AFTER_MS);
  }
  function showIdle() {
    const p = el('div', 'panel idle');
    p.id = 'idle';
    p.append(el('div', 'word', 'Waiting for a passport'), el('div', 'sub', 'Scan the code on the paper, drop a scan here, or use the camera.'));
    resultBox.replaceChildren(p);
    clearTimeout(clearTimer);
  }
  function showBusy() {
    const p = el('div', 'panel busy');
    p.append(el('div', 'word', 'Checking…'));
    resultBox.replaceChildren(p);
  }
  function showProblem(msg) {
    const p = el('div', 'panel unreadable');
    const t = el('div', 'panel-text');
    t.append(el('div', 'word', 'CANNOT CHECK'), el('div', 'sub', msg));
    p.append(el('div', 'icon', '!'), t);
    setResult([p]);
  }

  const WORDS = {
    valid: ['VALID', '✓', 'valid'], invalid: ['INVALID', '✗', 'invalid'], unreadable: ['CANNOT READ', '?', 'unreadable'],
  };
  const POLICY = {
    met: ['✓', 'Meets site policy'],
    expiring_soon: ['!', 'Meets site policy — some items lapse soon'],
    not_met: ['✗', 'Does not meet site policy'],
  };

  function render(j) {
    setToday(j.today);
    const results = j.results || [];
    const warnings = [];
    results.forEach((r) => (r.warnings || []).forEach((w) => warnings.push(w)));
    if (warnings.some((w) => w.code === 'trust_list_expired')) setBanner(warnings);
    setResult(results.map(verdict));
    if (results.length === 0) showProblem('No result came back.');
  }

  function verdict(r) {
    const node = $('t-result').content.firstElementChild.cloneNode(true);
    const q = (s) => node.querySelector(s);
    const [word, icon, cls] = WORDS[r.status] || ['UNKNOWN', '?', 'unreadable'];
    node.dataset.status = r.status;
    q('.panel').classList.add(cls);
    q('.word').textContent = word;
    q('.icon').textContent = icon;
    q('.when').textContent = 'Checked ' + clock();
    let sub = '';
    if (r.document === 'eu_dcc') {
      // Never a staff passport, whatever its verdict (issue 11 item 1).
      sub = 'EU Digital COVID Certificate — not a staff passport. ' + (r.status === 'valid' ? 'It cannot meet a site policy.' : 'Do not accept it.');
    } else if (r.status === 'valid') {
      sub = 'Genuine passport, signed by ' + (r.issuer_name ? r.issuer_name + ' (' + r.issuer + ')' : r.issuer) + '.';
    } else if (r.status === 'unreadable') {
      sub = 'No passport code could be read. ' + (r.reasons && r.reasons[0] ? sentence(r.reasons[0].message) : '');
    } else {
      sub = 'Do not accept this passport.';
    }
    q('.sub').textContent = sub;

    if (r.status !== 'valid' && r.reasons && r.reasons.length && r.status !== 'unreadable') {
      const ul = q('.reasons');
      ul.hidden = false;
      r.reasons.forEach((x) => { const li = el('li', '', sentence(x.message)); li.dataset.code = x.code; ul.append(li); });
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
    if (c) {
      q('.person').hidden = false;
      q('.name').textContent = c.person.name;
      // The employer of record is the signing organisation (issue 11 item 3).
      q('.role').textContent = [c.employment.role, r.issuer_name || r.issuer].filter(Boolean).join(' · ');
      const facts = q('.facts');
      const fact = (k, v) => { if (v) facts.append(el('dt', '', k), el('dd', '', v)); };
      fact('Staff number', c.person.staff_number);
      fact('Registration', c.person.registration);
      fact('Date of birth', c.person.date_of_birth ? day(c.person.date_of_birth) : '');
      fact('Passport valid', day(c.nbf) + ' to ' + day(c.exp));
      fact('Passport id', r.credential_id);
      tables(node, c, pol && pol.status !== 'not_evaluated' ? pol : null);
    }
    return node;
  }

  function tag(req) {
    const td = el('td');
    if (!req) return td;
    const words = { met: 'Met', expiring_soon: 'Lapses soon', not_met: 'Not met' };
    td.append(el('span', 'tag ' + req.status, words[req.status] || req.status), el('span', 'why', sentence(req.reason)));
    return td;
  }

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
      tr.append(el('td', '', ch.name + (ch.level ? ' (' + ch.level.replace(/[_-]/g, ' ') + ')' : '')),
        el('td', '', ch.outcome), el('td', '', day(ch.done)), el('td', 'exp', expiry(ch.expires, ch.expired)));
      const key = 'check:' + ch.type;
      if (pol) { tr.append(tag(used[key] ? null : reqs[key])); used[key] = true; }
      body.append(tr);
    });
    const tbody = node.querySelector('table.training tbody');
    c.training.forEach((t) => {
      const tr = el('tr', t.expired ? 'lapsed' : '');
      tr.append(el('td', '', t.name), el('td', '', day(t.completed)), el('td', 'exp', expiry(t.expires, t.expired)));
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
        tr.append(el('td', '', x.name));
        const blanks = x.kind === 'check' ? 3 : 2;
        for (let i = 0; i < blanks; i++) tr.append(el('td', '', i === 0 ? 'Not on the passport' : ''));
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
    else { const t = e.dataTransfer.getData('text/plain'); if (t) { field.value = t; submitText(); } }
  });

  // ---------- webcam ----------
  const video = $('video');
  const canvas = document.createElement('canvas');
  let stream = null, camTimer = 0, camStarted = 0, frames = 0;
  const FRAME_MS = 300, CAMERA_MAX_MS = 120000, FRAME_MAX_SIDE = 1600;
  function camState(s) { $('camera-state').textContent = s; }
  async function startCamera() {
    $('camera').hidden = false;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      camState('This browser cannot use a camera here. Open the station at http://127.0.0.1 on this computer.');
      return;
    }
    stopCamera();
    $('camera').hidden = false;
    camState('Starting the camera…');
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { facingMode: 'environment', width: { ideal: 1920 }, height: { ideal: 1080 } } });
    } catch (e) {
      camState('The camera could not be started (' + e.name + '): check it is connected and allowed for this page.');
      return;
    }
    video.srcObject = stream;
    try { await video.play(); } catch (e) { /* autoplay of a muted stream is allowed */ }
    camStarted = Date.now();
    frames = 0;
    camState('Hold the passport’s code up to the camera…');
    nextFrame();
  }
  function stopCamera(msg) {
    clearTimeout(camTimer);
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    video.srcObject = null;
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
    frames++;
    camState('Looking for a code… hold the paper flat and steady (' + frames + ' frames)');
    try {
      const r = await fetch('/api/verify?source=camera', { method: 'POST', headers: { 'Content-Type': 'image/jpeg', 'Accept': 'application/json' }, body: blob });
      if (r.ok) {
        const j = await r.json();
        if (stream && j.results.some((x) => x.status !== 'unreadable')) {
          stopCamera('Code read.');
          seq++;
          render(j);
          return;
        }
      }
    } catch (e) { /* keep trying */ }
    nextFrame();
  }
  $('camera-button').addEventListener('click', () => { startCamera(); focusField(); });
  $('camera-stop').addEventListener('click', () => { stopCamera(); focusField(); });
  $('clear-button').addEventListener('click', clearAll);

  refreshStatus();
  setInterval(refreshStatus, 60000);
  focusField();
})();
