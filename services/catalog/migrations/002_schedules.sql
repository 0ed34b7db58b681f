-- A product's declaration for the bakery day (BakeSchedule, SCHEMA.md): how it is baked, how long
-- it lasts, when it goes on discount and when the day closes. Null: a product without a day.
ALTER TABLE products ADD COLUMN schedule jsonb;
-- Whether the discount applied the last time the price ticker looked: the ticker publishes
-- PriceChanged when the window's state differs from this, in the transaction that flips it.
ALTER TABLE products ADD COLUMN discount_active boolean NOT NULL DEFAULT false;
