import { PageHeading } from '../components.jsx';
import { PAGE_TITLES } from '../messages.js';
import { navigate } from '../router.js';

export default function NotFoundPage() {
  function goHome(event) {
    event.preventDefault();
    navigate('/');
  }
  return (
    <main id="main" className="card">
      <PageHeading title={PAGE_TITLES.notFound}>Page not found</PageHeading>
      <p>There is nothing at this address.</p>
      <p>
        <a href="/" onClick={goHome}>Go to the start page</a>
      </p>
    </main>
  );
}
