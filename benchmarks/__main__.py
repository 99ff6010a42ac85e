"""`make bench`: every benchmark, one after the other, each printing its figures."""

from __future__ import annotations

from benchmarks import capacity, cold_start, roundtrips


def main() -> int:
    print("## DynamoDB requests per use case, both layouts (benchmarks/roundtrips.py)\n")
    roundtrips.main([])
    print(
        "\n## Capacity per use case and cost per monthly active user, both layouts "
        "(benchmarks/capacity.py)\n"
    )
    capacity.main([])
    print("\n## Cold start of the HTTP Lambda entry point (benchmarks/cold_start.py)\n")
    cold_start.main([])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
