"""电子证照 and 电子印章: licence types, issued licences, sealing and verification (DESIGN.md)."""
