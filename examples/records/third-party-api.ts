import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the third party knows about a person: the sensitive data the app must not be able to read later. */
export type PersonData = Record<string, unknown>;

/**
 * A stand-in for the third-party API the app fetches a new user's data from (a bank, a lab, a government
 * registry): `GET /people/<address>` answers JSON. Runs on 127.0.0.1; tests give it the data to serve.
 */
export async function startThirdPartyApi(dataFor: (email: string) => PersonData = sampleData) {
  const server = createServer((req, res) => {
    const match = /^\/people\/([^/?]+)$/.exec(req.url ?? '');
    if (req.method !== 'GET' || !match) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(dataFor(decodeURIComponent(match[1]!))));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** Made-up data of the kind such an API returns. */
function sampleData(email: string): PersonData {
  return {
    email,
    accounts: [
      { bank: 'Example Savings', iban: 'XX00 0000 0000 0000 0001', balance: 1520.75 },
      { bank: 'Example Credit', iban: 'XX00 0000 0000 0000 0002', balance: -310.2 },
    ],
    notes: 'Loan application pending.',
  };
}

/** The app's side: fetches a person's data from the API. */
export async function fetchPersonData(apiUrl: string, email: string): Promise<PersonData> {
  const response = await fetch(`${apiUrl}/people/${encodeURIComponent(email)}`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`The data API answered HTTP ${response.status}.`);
  return (await response.json()) as PersonData;
}
