/**
 * `GET /products` (the gateway's `/api/search/products`): text filter, price range, in-stock only,
 * sort, paging, each product with its available count at lab `now` (projection.ts's rule).
 */
import { z } from 'zod';
import type { Pool } from '../kit/db.ts';
import { HttpError } from '../kit/http.ts';
import { availableUnitSql } from './projection.ts';

const cents = (name: string) =>
  z
    .string()
    .regex(/^\d{1,12}$/, `${name} must be a whole number of cents >= 0`)
    .transform(Number);

const count = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, `${name} must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((value) => value >= min && value <= max, `${name} must be a whole number from ${min} to ${max}`);

const MAX_PAGE = 100;

export const searchParams = z
  .strictObject({
    q: z.string().trim().max(100, 'q must be at most 100 characters').optional(),
    min_price: cents('min_price').optional(),
    max_price: cents('max_price').optional(),
    in_stock: z.enum(['true', 'false'], 'in_stock must be true or false').optional(),
    sort: z.enum(['name', 'price', 'available'], 'sort must be name, price or available').default('name'),
    order: z.enum(['asc', 'desc'], 'order must be asc or desc').optional(),
    limit: count('limit', 1, MAX_PAGE).default(20),
    offset: count('offset', 0, 100_000).default(0),
  })
  .refine(
    (params) =>
      params.min_price === undefined ||
      params.max_price === undefined ||
      params.min_price <= params.max_price,
    { message: 'min_price must not be above max_price', path: ['min_price'] },
  );
export type SearchParams = z.infer<typeof searchParams>;

export interface SearchedProduct {
  id: string;
  sku: string;
  name: string;
  price_cents: number;
  list_price_cents: number;
  discount_percent: number;
  available: number;
}

export interface SearchAnswer {
  products: SearchedProduct[];
  total: number;
  limit: number;
  offset: number;
  /** The lab instant the available counts are for. */
  as_of: string;
}

const SORT_COLUMN = { name: 'p.name', price: 'p.price_cents', available: 'available' } as const;

/** Repeated query parameters come as arrays; say so instead of picking one. */
export function singleValued(query: unknown): Record<string, unknown> {
  const params = (query ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(params))
    if (Array.isArray(value)) throw new HttpError(400, 'E_VALIDATION', `${name}: give it once`);
  return params;
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

export async function searchProducts(pool: Pool, params: SearchParams, now: Date): Promise<SearchAnswer> {
  // Prices sort cheapest first and stock most-first unless asked otherwise; names A to Z.
  const direction = params.order ?? (params.sort === 'available' ? 'desc' : 'asc');
  const { rows } = await pool.query<SearchedProduct & { total: number }>(
    `WITH stock AS (
       SELECT u.product_id, count(*)::int AS available FROM units u
        WHERE ${availableUnitSql('$1')}
        GROUP BY u.product_id)
     SELECT p.product_id AS id, p.sku, p.name, p.price_cents::int, p.list_price_cents::int,
            p.discount_percent, coalesce(s.available, 0) AS available, count(*) OVER ()::int AS total
       FROM products p LEFT JOIN stock s USING (product_id)
      WHERE ($2::text IS NULL OR p.name ILIKE $2 OR p.sku ILIKE $2)
        AND ($3::bigint IS NULL OR p.price_cents >= $3)
        AND ($4::bigint IS NULL OR p.price_cents <= $4)
        AND (NOT $5 OR coalesce(s.available, 0) > 0)
      ORDER BY ${SORT_COLUMN[params.sort]} ${direction}, p.sku ${direction}
      LIMIT $6 OFFSET $7`,
    [
      now,
      params.q ? likePattern(params.q) : null,
      params.min_price ?? null,
      params.max_price ?? null,
      params.in_stock === 'true',
      params.limit,
      params.offset,
    ],
  );
  return {
    products: rows.map(({ total: _total, ...product }) => product),
    total: rows[0]?.total ?? (params.offset > 0 ? await countMatching(pool, params, now) : 0),
    limit: params.limit,
    offset: params.offset,
    as_of: now.toISOString(),
  };
}

/** A page past the end has no rows to carry the total: count it on its own. */
async function countMatching(pool: Pool, params: SearchParams, now: Date): Promise<number> {
  const whole = await searchProducts(pool, { ...params, offset: 0, limit: 1 }, now);
  return whole.total;
}
