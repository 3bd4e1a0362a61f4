/** Static console assets. Served from /assets so the CSP can forbid inline script and style. */
export const CONSOLE_CSS = `
*{box-sizing:border-box}body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
.top{display:flex;flex-wrap:wrap;gap:.5rem 1rem;justify-content:space-between;align-items:center;padding:.75rem 1.5rem;background:#111827;color:#fff}
.top a{color:#fff;text-decoration:none}.brand{font-weight:700}.top nav{display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
.who{opacity:.75}main{max-width:1200px;margin:2rem auto;padding:0 1.5rem}
form.card,section.card{background:#fff;border:1px solid #d9dde3;border-radius:8px;padding:1.25rem;margin:1rem 0}
label{display:block;margin:.6rem 0 .2rem;font-weight:600}input[type=text],input[type=email],input[type=password],input[type=number],textarea,select{width:100%;max-width:420px;padding:.45rem;border:1px solid #b8bec7;border-radius:5px;font:inherit}
fieldset{border:0;padding:0;margin:.6rem 0}fieldset label{display:inline-block;font-weight:400;margin-right:1rem}
button{font:inherit;padding:.45rem .9rem;border-radius:5px;border:1px solid #1f2937;background:#1f2937;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1f2937}button.danger{background:#b42318;border-color:#b42318}
button.link{background:none;border:0;color:#fff;padding:0;text-decoration:underline}form.inline{display:inline;margin:0}
table{width:100%;border-collapse:collapse;background:#fff;font-size:14px}th,td{text-align:left;padding:.5rem;border-bottom:1px solid #e5e7eb;vertical-align:top}
code{font-family:ui-monospace,monospace;font-size:13px}.error{color:#b42318;font-weight:600}.ok{color:#067647}
.secret{display:flex;gap:.5rem;align-items:center;margin:.5rem 0}.secret code{background:#f1f5f9;padding:.4rem .6rem;border-radius:5px;word-break:break-all}
.warning{background:#fffaeb;border:1px solid #fec84b;padding:.75rem;border-radius:6px}
.table-wrap{overflow-x:auto}td.date{white-space:nowrap}.actions select{width:auto}.actions form{white-space:nowrap}
.status-active{color:#067647}.status-revoked,.status-expired{color:#b42318}.actions form{display:inline-block;margin:0 .25rem .25rem 0}
`;

export const CONSOLE_JS = `
document.addEventListener('click', function (event) {
  var button = event.target.closest('[data-copy]');
  if (!button) return;
  var source = document.getElementById(button.getAttribute('data-copy'));
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(function () {
    button.textContent = 'Copied';
  });
});
document.addEventListener('submit', function (event) {
  var message = event.target.getAttribute('data-confirm');
  if (message && !window.confirm(message)) event.preventDefault();
});
`;
