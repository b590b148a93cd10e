/** Splits a NATS `.creds` text into its JWT and nkey seed. */
export function splitCreds(creds: string): { jwt: string; seed: string } {
  const block = (label: string) => {
    const match = new RegExp(`-+BEGIN ${label}-+\\s*\\n\\s*(\\S+)\\s*\\n`).exec(creds);
    if (!match) throw new Error(`creds text has no ${label} block`);
    return match[1]!;
  };
  return { jwt: block('NATS USER JWT'), seed: block('USER NKEY SEED') };
}
