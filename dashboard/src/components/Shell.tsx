/**
 * The frame around every page: navigation (a side bar on a desktop, a menu on a phone), who is signed
 * in, and the guards: signed-out users go to /login, pages above a role say so instead of opening.
 */
import { A, type RouteSectionProps, useLocation, useNavigate } from '@solidjs/router';
import { createEffect, createSignal, For, type JSX, Show, Suspense } from 'solid-js';
import type { Role, SessionUser } from '../api/client.ts';
import { useApp } from '../stores/app.tsx';
import { Loading } from './Common.tsx';
import { Icon, type IconName } from './Icon.tsx';
import { PageBoundary } from './PageBoundary.tsx';

interface NavItem {
  path: string;
  label: string;
  icon: IconName;
  role: Role;
  /** Shown only to users who see at least this many stores. */
  minStores?: number;
}

export const NAV: NavItem[] = [
  { path: '/', label: 'Overview', icon: 'home', role: 'viewer' },
  { path: '/dashboard', label: 'Numbers', icon: 'chart', role: 'viewer' },
  { path: '/compare', label: 'Stores compared', icon: 'store', role: 'viewer', minStores: 2 },
  { path: '/live', label: 'Live', icon: 'live', role: 'viewer' },
  { path: '/clients', label: 'Visitors', icon: 'people', role: 'viewer' },
  { path: '/alerts', label: 'Alerts', icon: 'alert', role: 'viewer' },
  { path: '/zones', label: 'Areas & lines', icon: 'shapes', role: 'manager' },
  { path: '/reports', label: 'Reports', icon: 'download', role: 'manager' },
  { path: '/stores', label: 'Stores & users', icon: 'store', role: 'admin' },
  { path: '/account', label: 'Your account', icon: 'people', role: 'viewer' },
];

const RANK: Record<Role, number> = { viewer: 0, manager: 1, admin: 2 };
export const allows = (role: Role | undefined, least: Role) =>
  role !== undefined && RANK[role] >= RANK[least];

/** The least role a path needs. */
export function roleFor(path: string): Role {
  return NAV.find((n) => n.path !== '/' && path.startsWith(n.path))?.role ?? 'viewer';
}

export function Shell(props: RouteSectionProps): JSX.Element {
  const { session, live, places } = useApp();
  const location = useLocation();
  const navigate = useNavigate();
  const [menuOpen, setMenuOpen] = createSignal(false);
  const onLogin = () => location.pathname === '/login';

  createEffect(() => {
    if (!session.state.user && !onLogin()) {
      const next = location.pathname + location.search;
      navigate(`/login${next && next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`, { replace: true });
    }
  });
  createEffect(() => {
    if (!session.state.user) live.actions.stop();
  });
  createEffect(() => {
    location.pathname;
    setMenuOpen(false);
  });

  const needed = () => roleFor(location.pathname);
  return (
    <Show when={!onLogin()} fallback={props.children}>
      <Show when={session.state.user} fallback={<Loading text="Opening the sign-in page…" />}>
        {(user) => (
          <div class="app" classList={{ 'menu-open': menuOpen() }}>
            <TopBar user={user()} onMenu={() => setMenuOpen(!menuOpen())} />
            <nav class="sidebar" aria-label="Pages">
              <For
                each={NAV.filter(
                  (n) => allows(user().role, n.role) && places.state.stores.length >= (n.minStores ?? 0),
                )}
              >
                {(n) => (
                  <A href={n.path} end={n.path === '/'} activeClass="active">
                    <Icon name={n.icon} /> {n.label}
                  </A>
                )}
              </For>
            </nav>
            <main class="content">
              <Show when={allows(user().role, needed())} fallback={<NotAllowed role={user().role} />}>
                <PageBoundary>
                  <Suspense fallback={<Loading />}>{props.children}</Suspense>
                </PageBoundary>
              </Show>
            </main>
          </div>
        )}
      </Show>
    </Show>
  );
}

/** The bar at the top: the menu button on a phone, the name, who is signed in, and signing out. */
function TopBar(props: { user: SessionUser; onMenu: () => void }): JSX.Element {
  const { session } = useApp();
  const navigate = useNavigate();
  return (
    <header class="topbar">
      <button type="button" class="ghost menu-button" aria-label="Menu" onClick={() => props.onMenu()}>
        <Icon name="menu" />
      </button>
      <A href="/" class="brand">
        <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
          <rect width="32" height="32" rx="7" fill="currentColor" />
          <circle cx="16" cy="11" r="5" fill="#fff" />
          <path d="M7 27c0-5 4-9 9-9s9 4 9 9" fill="#fff" />
        </svg>
        OskarTrack
      </A>
      <div class="who">
        <A href="/account" class="muted small" data-testid="who" title="Your account and password">
          {props.user.name} · {roleWords(props.user.role)}
        </A>
        <button
          type="button"
          class="ghost small"
          onClick={async () => {
            await session.actions.logout();
            navigate('/login', { replace: true });
          }}
        >
          <Icon name="logout" size={16} /> Sign out
        </button>
      </div>
    </header>
  );
}

function NotAllowed(props: { role: Role }): JSX.Element {
  return (
    <div class="note error" data-testid="not-allowed" role="alert">
      <Icon name="alert" />
      <span>
        Your account ({roleWords(props.role)}) cannot open this page. Ask an administrator if you need it.
      </span>
    </div>
  );
}

export function roleWords(role: Role): string {
  return role === 'admin' ? 'administrator' : role === 'manager' ? 'store manager' : 'viewer';
}
