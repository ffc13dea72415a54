/** Search for a visitor by tracking number; the search runs when the form is sent. */
import { createSignal, type JSX } from 'solid-js';

export function VisitorSearch(props: { onSearch: (text: string) => void }): JSX.Element {
  const [typed, setTyped] = createSignal('');
  return (
    <form
      class="row"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSearch(typed().trim());
      }}
    >
      <label style={{ flex: 1 }}>
        <span>Search by tracking number</span>
        <input
          type="search"
          data-testid="visitor-search"
          value={typed()}
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
      </label>
      <button type="submit">Search</button>
    </form>
  );
}
