// Workload (1): the public graphql-gateways-benchmark's query (users → reviews → products → reviews
// → authors → reviews → products, and the top products down the same path) over bench/products's four
// subgraphs, composed here with @apollo/composition for the ports they got.
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { subgraphSdl, SUBGRAPH_NAMES } from './subgraphs.ts';

export const OPERATION_NAME = 'TopProductsAndReviews';

export const QUERY = `query TopProductsAndReviews {
  users {
    ...User
    reviews {
      ...Review
      product {
        ...Product
        reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } }
      }
    }
  }
  topProducts {
    ...Product
    reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } }
  }
}

fragment User on User { id username name }

fragment Review on Review { id body }

fragment Product on Product { inStock name price shippingEstimate upc weight }
`;

export function composeProducts(urls: Readonly<Record<string, string>>): string {
  const result = composeServices(SUBGRAPH_NAMES.map((name) => ({ name, url: urls[name], typeDefs: parse(subgraphSdl(name)) })));
  if (result.errors) throw new Error(`bench/products does not compose: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.supergraphSdl;
}
