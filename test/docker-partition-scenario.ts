/** A small scenario whose only fault is a partition of payment (used by the docker suites). */
export const PARTITION_SCENARIO = `name: payment-partition
description: Payment is cut off the network for five seconds while orders flow; every saga still ends.
seed: 11
setup:
  customers: 10
  balance: 100.00
  products:
    - { sku: bread, price: 4.50, stock: 300 }
workload:
  orders: 60
  rate: 10/s
  concurrency: 4
  lines: { min: 1, max: 2 }
faults:
  - { at: 2s, for: 5s, partition: { service: payment } }
settle: 90s
expect:
  verdict: valid
  checks:
    - sagas_terminal
    - no_double_charge
    - money_conserved
    - stock_conserved
    - outcomes_consistent
    - outbox_drained
    - idempotent_consumers
`;
