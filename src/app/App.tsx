/** The Cantus page. */
export function App() {
  return (
    <main>
      <h1>Cantus</h1>
      <p>Train an accompaniment GAN in your browser.</p>
    </main>
  );
}
