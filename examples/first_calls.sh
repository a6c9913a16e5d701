#!/usr/bin/env bash
# Start the local emulator, point the CLI at it, and make a few calls.
# Run from anywhere after `pip install .`; it stops the emulator when it is done.
set -euo pipefail

fifo_dir=$(mktemp -d)
trap 'kill "${emulator_pid:-}" 2>/dev/null || true; rm -rf "$fifo_dir"' EXIT
mkfifo "$fifo_dir/out"
aiompsls emulator serve --memory >"$fifo_dir/out" &
emulator_pid=$!
read -r first_line <"$fifo_dir/out"

field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$first_line" "$1"; }
export AIOMPSLS_ENDPOINT=$(field endpoint)
export ALIBABA_CLOUD_ACCESS_KEY_ID=$(field access_key_id)
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=$(field access_key_secret)
echo "emulator at $AIOMPSLS_ENDPOINT"

set -x
aiompsls call CreateSpace --param Name=demo --param Desc="first space"
space_id=$(aiompsls call ListSpace --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["Spaces"][0]["SpaceId"])')
aiompsls call CreateFunction --param SpaceId="$space_id" --param Name=hello --param Desc="says hello"
aiompsls call UpdateFunction --param SpaceId="$space_id" --param Name=hello --param Memory=256 --param Timeout=5
aiompsls call ListFunction --param SpaceId="$space_id"
aiompsls call AddCorsDomain --param SpaceId="$space_id" --param Domain=https://example.com
aiompsls call DescribeFunction --param SpaceId="$space_id" --param Name=missing || echo "(exit $? for a missing function, as expected)"
