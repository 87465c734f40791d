import { api, say } from './common.js';

document.getElementById('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    await api('POST', '/api/login', { username: form.get('username'), password: form.get('password') });
    const next = new URLSearchParams(location.search).get('next');
    location.href = next?.startsWith('/') && !next.startsWith('//') ? next : '/desk';
  } catch (error) {
    say(error.message);
  }
});
