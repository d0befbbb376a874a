import { PageHeading } from '../components.jsx';
import { navigate } from '../router.js';

export default function NotFoundPage() {
  function goHome(event) {
    event.preventDefault();
    navigate('/');
  }
  return (
    <main id="main" className="card">
      <PageHeading>Page not found</PageHeading>
      <p>There is nothing at this address.</p>
      <p>
        <a href="/" onClick={goHome}>Go to the start page</a>
      </p>
    </main>
  );
}
