import { api, say } from './common.js';
import { inDutch } from './errors-nl.js';
import { safeNext } from './safe-next.js';

document.getElementById('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    await api('POST', '/api/login', { username: form.get('username'), password: form.get('password') });
    location.href = safeNext(new URLSearchParams(location.search).get('next'), location.origin);
  } catch (error) {
    say(inDutch(error));
  }
});
