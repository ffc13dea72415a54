import { Route, Router } from '@solidjs/router';
import { lazy } from 'solid-js';
import { render } from 'solid-js/web';
import { Shell } from './components/Shell.tsx';
import Login from './pages/Login.tsx';
import { AppProvider, createAppStores, createBrowserApi } from './stores/app.tsx';
import './styles.css';

const Overview = lazy(() => import('./pages/Overview.tsx'));
const Dashboard = lazy(() => import('./pages/Dashboard.tsx'));
const Live = lazy(() => import('./pages/Live.tsx'));
const Clients = lazy(() => import('./pages/Clients.tsx'));
const Zones = lazy(() => import('./pages/Zones.tsx'));
const Stores = lazy(() => import('./pages/Stores.tsx'));
const Account = lazy(() => import('./pages/Account.tsx'));
const Reports = lazy(() => import('./pages/Reports.tsx'));
const Alerts = lazy(() => import('./pages/Alerts.tsx'));
const Compare = lazy(() => import('./pages/Compare.tsx'));
const NotFound = lazy(() => import('./pages/NotFound.tsx'));

const api = createBrowserApi();
const stores = createAppStores(api);
api.onSignedOut = (reason) => stores.session.actions.signedOut(reason);

render(
  () => (
    <AppProvider stores={stores}>
      <Router root={Shell}>
        <Route path="/login" component={Login} />
        <Route path="/" component={Overview} />
        <Route path="/dashboard" component={Dashboard} />
        <Route path="/compare" component={Compare} />
        <Route path="/live" component={Live} />
        <Route path="/clients" component={Clients} />
        <Route path="/zones" component={Zones} />
        <Route path="/stores" component={Stores} />
        <Route path="/reports" component={Reports} />
        <Route path="/account" component={Account} />
        <Route path="/alerts" component={Alerts} />
        <Route path="*404" component={NotFound} />
      </Router>
    </AppProvider>
  ),
  document.getElementById('root')!,
);
