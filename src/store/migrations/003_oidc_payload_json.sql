-- Payloads are only ever stored and read back whole, never searched inside: plain json keeps the text as
-- sent and skips jsonb's conversion on every write, which is most of the cost of a provider write.
ALTER TABLE oidc_payloads ALTER COLUMN payload TYPE json USING payload::json;
