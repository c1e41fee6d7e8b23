"""Build generated C for a device and run it there: a Cortex-M4F emulated by QEMU.

``toolchain`` finds the cross tools, ``cortex_m4`` compiles, links, runs and measures,
``m4_program`` writes and reads the test program that feeds a model its inputs,
``impulse_probe`` the one that runs an impulse on a window, on the board and the host.
"""
