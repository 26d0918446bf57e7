// A notification as the bell page shows it: the same markup as renderItem in /assets/bell.js, styled by the
// bell page's own stylesheet inside a shadow root (so its rules reach only the preview). Text is set with
// textContent; a link is shown only for http(s) URLs and single-slash paths, as the bell does.

function safeHref(url) {
  if (typeof url !== 'string') return null;
  if (/^https?:\/\//i.test(url)) return url;
  if (url.charAt(0) === '/' && url.charAt(1) !== '/' && url.charAt(1) !== '\\') return url;
  return null;
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The bell's <li> for a notification. */
export function bellItem(n) {
  const li = el('li', (n.read ? 'read' : 'unread') + ' priority-' + n.priority);
  li.appendChild(el('p', 'title', n.title));
  li.appendChild(el('p', 'message', n.message));
  const meta = el('div', 'meta');
  meta.appendChild(el('span', null, n.type + ' · ' + n.priority + ' · ' + new Date(n.createdAt).toLocaleString()));
  const href = safeHref(n.actionUrl);
  if (href) {
    const link = el('a', null, 'Open');
    link.href = href;
    link.rel = 'noopener noreferrer';
    meta.appendChild(link);
  }
  const mark = el('button', 'mark-read', 'Mark read');
  mark.type = 'button';
  mark.tabIndex = -1;
  meta.appendChild(mark);
  const del = el('button', 'delete', 'Delete');
  del.type = 'button';
  del.tabIndex = -1;
  meta.appendChild(del);
  li.appendChild(meta);
  return li;
}

/** Mounts a preview pane in `host`; returns render(notification). */
export function bellPreview(host) {
  const root = host.attachShadow({ mode: 'open' });
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = '/assets/bell.css';
  root.appendChild(css);
  const list = el('ul', 'bell-list');
  list.setAttribute('aria-label', 'Preview');
  root.appendChild(list);
  return (n) => {
    while (list.firstChild) list.removeChild(list.firstChild);
    list.appendChild(bellItem(n));
  };
}
