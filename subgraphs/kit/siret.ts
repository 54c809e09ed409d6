// SIRET = SIREN (9 digits) + NIC (5 digits). Both pass the Luhn check, except the establishments
// of La Poste (SIREN 356000000), whose SIRET digits must add up to a multiple of 5 (INSEE rule).
// The npm validators we checked reject valid La Poste SIRETs, hence this module.

const LA_POSTE_SIREN = '356000000';

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function isValidSiren(siren: string): boolean {
  return /^\d{9}$/.test(siren) && luhn(siren);
}

export function isValidSiret(siret: string): boolean {
  if (!/^\d{14}$/.test(siret)) return false;
  if (luhn(siret)) return true;
  if (!siret.startsWith(LA_POSTE_SIREN)) return false;
  let sum = 0;
  for (const c of siret) sum += c.charCodeAt(0) - 48;
  return sum % 5 === 0;
}

export function sirenOf(siret: string): string {
  return siret.slice(0, 9);
}

/** Appends the digit that makes `body` pass Luhn (used by the synthetic data generator). */
export function withLuhnDigit(body: string): string {
  for (let d = 0; d <= 9; d++) {
    if (luhn(body + d)) return body + d;
  }
  throw new Error('unreachable: one Luhn digit always exists');
}
