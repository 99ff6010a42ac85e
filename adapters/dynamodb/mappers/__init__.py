"""Entity <-> item mappers, one module per table: the only code that knows attribute names."""
