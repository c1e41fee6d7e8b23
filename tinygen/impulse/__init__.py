"""Impulses: a sensor window, a DSP block and a model with labels behind one classifier call.

``config`` reads ``impulse.json``; ``memory`` places the DSP's features and buffers in
the model's arena; ``generate`` joins the model and DSP generators and renders the glue.
"""
