/** Your own account, for everyone signed in: who you are, and changing your password. */
import type { JSX } from 'solid-js';
import { PageHeader } from '../components/Common.tsx';
import { roleWords } from '../components/Shell.tsx';
import { ChangePasswordForm } from '../components/users/ChangePasswordForm.tsx';
import { useApp } from '../stores/app.tsx';

export default function Account(): JSX.Element {
  const { session } = useApp();
  return (
    <div class="page">
      <PageHeader title="Your account" />
      <section class="card">
        <p>
          Signed in as <strong>{session.state.user?.name}</strong> (
          {roleWords(session.state.user?.role ?? 'viewer')}).
        </p>
        <h2>Change your password</h2>
        <ChangePasswordForm />
      </section>
    </div>
  );
}
