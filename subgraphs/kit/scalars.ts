// Custom scalars every subgraph declares in kit/common.graphql.
// Money travels as a decimal string of euros ("3150.00") and lives in the database as integer
// cents: amounts are never floating point.
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const MONEY = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;

export function parseEuros(text: string): number {
  if (!MONEY.test(text)) {
    throw new GraphQLError(`"${text.slice(0, 32)}" is not an amount in euros (e.g. "3150.00")`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const [whole, fraction = ''] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export const Money = new GraphQLScalarType<number, string>({
  name: 'Money',
  serialize: (value) => formatCents(Number(value)),
  parseValue: (value) => {
    if (typeof value !== 'string') throw new GraphQLError('Money is sent as a string, e.g. "3150.00"', { extensions: { code: 'BAD_USER_INPUT' } });
    return parseEuros(value);
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Money is sent as a string, e.g. "3150.00"', { extensions: { code: 'BAD_USER_INPUT' } });
    return parseEuros(ast.value);
  },
});

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseIsoDate(text: string): string {
  if (!ISO_DATE.test(text) || Number.isNaN(Date.parse(text)) || new Date(text).toISOString().slice(0, 10) !== text) {
    throw new GraphQLError(`"${text.slice(0, 32)}" is not a calendar date (YYYY-MM-DD)`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return text;
}

export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10)),
  parseValue: (value) => {
    if (typeof value !== 'string') throw new GraphQLError('Date is sent as a string, e.g. "2025-01-31"', { extensions: { code: 'BAD_USER_INPUT' } });
    return parseIsoDate(value);
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Date is sent as a string, e.g. "2025-01-31"', { extensions: { code: 'BAD_USER_INPUT' } });
    return parseIsoDate(ast.value);
  },
});

export const DateTime = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString()),
});

export const scalarResolvers = { Money, Date: DateScalar, DateTime };
