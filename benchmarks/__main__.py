"""`make bench`: every benchmark, one after the other, each printing its figures."""

from __future__ import annotations

from benchmarks import capacity, cold_start, roundtrips, transactions


def main() -> int:
    print("## DynamoDB requests per use case, both layouts (benchmarks/roundtrips.py)\n")
    roundtrips.main([])
    print(
        "\n## Capacity per use case and cost per monthly active user, both layouts "
        "(benchmarks/capacity.py)\n"
    )
    capacity.main([])
    print("\n## Cold start of the four Lambda entry points (benchmarks/cold_start.py)\n")
    cold_start.main([])
    print("\n## A transaction on the embedded DynamoDB by table size (benchmarks/transactions.py)")
    print()
    transactions.main([])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
