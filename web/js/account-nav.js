// The small account menu in a page's header (<nav id="account-nav">): "Sign in" for visitors;
// "My meetings", the account's name and "Sign out" once signed in.

import { currentUser, signInHref, signOut } from '/js/session.js';

/** Fills `nav` for the current session; `signInNext` is where signing in returns to (null: My meetings). */
export function renderAccountNav(nav, { signInNext = location.pathname + location.search, afterSignOut = '/' } = {}) {
  nav.replaceChildren();
  const user = currentUser();
  if (!user) {
    nav.append(link('Sign in', signInHref(signInNext), 'sign-in'));
    return;
  }
  const who = document.createElement('span');
  who.className = 'who';
  who.id = 'account-name';
  who.textContent = user.displayName;
  who.title = user.email;
  const out = document.createElement('button');
  out.type = 'button';
  out.id = 'sign-out';
  out.className = 'secondary small';
  out.textContent = 'Sign out';
  out.addEventListener('click', async () => {
    out.disabled = true;
    await signOut();
    location.assign(afterSignOut);
  });
  nav.append(link('My meetings', '/meetings.html', 'my-meetings'), who, out);
}

function link(text, href, id) {
  const a = document.createElement('a');
  a.href = href;
  a.id = id;
  a.textContent = text;
  return a;
}
