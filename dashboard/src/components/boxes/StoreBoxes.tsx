/**
 * A store's boxes with their health, its cameras, its enrollment codes, and counts the hub could not
 * place (dead letters).
 */

import { createResource, createSignal, For, type JSX, Show } from 'solid-js';
import {
  createEnrollmentCode,
  deleteEnrollmentCode,
  listEnrollmentCodes,
  revokeDevice,
  updateDevice,
} from '../../api/endpoints.ts';
import type { Device, EnrollmentCode, Store } from '../../api/types.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { DeadLetters } from '../DeadLetters.tsx';
import { Icon } from '../Icon.tsx';
import { useAction } from '../use-action.ts';
import { BoxHealth } from './BoxHealth.tsx';
import { BoxRow } from './BoxRow.tsx';
import { EnrollmentCodeNote, type FreshCode } from './EnrollmentCodeNote.tsx';
import { StoreCameras } from './StoreCameras.tsx';
import { UnusedCodes } from './UnusedCodes.tsx';

/** A new code stays valid for a day. */
const CODE_TTL_MINUTES = 24 * 60;

function useBoxActions(store: () => Store) {
  const { api, places } = useApp();
  const act = useAction();
  const [fresh, setFresh] = createSignal<FreshCode | null>(null);
  const [codes, { refetch }] = createResource(
    () => store().id,
    (id) => listEnrollmentCodes(api, id),
  );
  const newCode = async () => {
    await act.run(async () => {
      setFresh(await createEnrollmentCode(api, store().id, { ttlMinutes: CODE_TTL_MINUTES }));
      await refetch();
    });
  };
  const withdraw = async (c: EnrollmentCode) => {
    if (await act.run(() => deleteEnrollmentCode(api, store().id, c.id))) await refetch();
  };
  const rename = async (d: Device) => {
    const next = prompt('New name for the box', d.name)?.trim();
    if (next && (await act.run(() => updateDevice(api, d.id, { name: next }))))
      await places.actions.load(true);
  };
  const lockOut = async (d: Device) => {
    if (!confirm(`Lock out "${d.name}"? It cannot connect until it is enrolled again.`)) return;
    if (await act.run(() => revokeDevice(api, d.id))) await places.actions.load(true);
  };
  return { act, fresh, codes, newCode, withdraw, rename, lockOut };
}

export function StoreBoxes(props: { store: Store }): JSX.Element {
  const { places } = useApp();
  const boxes = useBoxActions(() => props.store);
  const devices = () => places.state.devices.filter((d) => d.storeId === props.store.id);
  return (
    <section class="card" data-testid={`boxes-${props.store.id}`}>
      <div class="card-head">
        <h2>
          <Icon name="box" /> Boxes and cameras in {props.store.name}
        </h2>
        <button type="button" onClick={boxes.newCode} disabled={boxes.act.busy()} data-testid="new-code">
          <Icon name="plus" /> New enrollment code
        </button>
      </div>
      <Show when={boxes.fresh()}>{(c) => <EnrollmentCodeNote code={c()} />}</Show>
      <ErrorNote text={boxes.act.error()} />
      <DeadLetters storeId={props.store.id} />
      <div class="table-wrap">
        <table class="table stacked">
          <thead>
            <tr>
              <th>Box</th>
              <th>State</th>
              <th>Last seen</th>
              <th>Software</th>
              <th />
            </tr>
          </thead>
          <tbody>
            <For
              each={devices()}
              fallback={
                <tr>
                  <td colSpan={5} class="muted">
                    No boxes yet: create a code and enroll one.
                  </td>
                </tr>
              }
            >
              {(d) => <BoxRow device={d} onRename={boxes.rename} onLockOut={boxes.lockOut} />}
            </For>
          </tbody>
        </table>
      </div>
      <UnusedCodes codes={boxes.codes()} onWithdraw={boxes.withdraw} />
      <BoxHealth storeId={props.store.id} />
      <StoreCameras store={props.store} />
    </section>
  );
}
