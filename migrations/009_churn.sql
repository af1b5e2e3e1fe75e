-- Purchase volumes per customer and half year (采购额), imported by the
-- market department for the churn and volume-decline analysis (000).
-- A volume may name a customer not (yet) imported; the report then shows its ID.

CREATE TABLE customer_volumes (
    customer_id text          NOT NULL,
    period      text          NOT NULL CHECK (period ~ '^[0-9]{4}H[12]$'),
    volume      numeric(16,2) NOT NULL CHECK (volume >= 0),
    updated_at  timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, period)
);
CREATE INDEX customer_volumes_period ON customer_volumes (period);
