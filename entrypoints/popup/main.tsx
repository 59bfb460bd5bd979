import { render } from 'preact';

function Popup() {
  return <p>RAGFlow Keys</p>;
}

render(<Popup />, document.getElementById('app')!);
