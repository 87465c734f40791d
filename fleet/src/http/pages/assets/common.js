// Shared by the pages: API calls with the session's CSRF token, and a status line read by screen readers.
let csrf = '';

export async function api(method, path, body, headers = {}) {
  const response = await fetch(path, {
    method,
    headers: {
      ...headers,
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(csrf ? { 'x-csrf-token': csrf } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (response.status === 401 && !location.pathname.startsWith('/login')) {
    // pages keep what was typed (the desk's form) before going to sign in
    window.dispatchEvent(new Event('session-expired'));
    location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
    throw Object.assign(new Error('not signed in'), { code: 'AUTH_REQUIRED', status: 401 });
  }
  const type = response.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const error = new Error(data?.error?.message ?? `HTTP ${response.status}`);
    error.code = data?.error?.code;
    error.status = response.status;
    throw error;
  }
  return data;
}

export async function signedIn() {
  const me = await api('GET', '/api/me');
  csrf = me.csrfToken ?? '';
  const logout = document.getElementById('logout');
  logout.hidden = false;
  logout.addEventListener('click', async () => {
    await api('POST', '/api/logout');
    location.href = '/login';
  });
  return me;
}

export function say(text) {
  document.getElementById('status').textContent = text;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children.flat())
    node.append(child instanceof Node ? child : document.createTextNode(String(child ?? '')));
  return node;
}
