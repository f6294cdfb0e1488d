"""Simulated SaaS providers (Salesforce and HubSpot subsets) for demos, end-to-end tests and benchmarks.

The sandbox speaks the real providers' wire shapes: paths, paging, limit headers, error bodies and OAuth
token grants, with deterministic data generated from a seed and faults injected on demand.

    sandbox.app.create_app(options)   the aiohttp application (run in-process or via `python -m sandbox`)
    sandbox.options.SandboxOptions    every knob, settable at start and (most) at runtime via /_admin/options
"""
