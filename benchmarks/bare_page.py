"""The reference for the UI benchmark: one slider and one small Plotly chart, nothing else."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

value = st.slider("value", 0.0, 1.0, 0.5, step=0.001, key="value")
x = np.linspace(0, 1, 50)
st.plotly_chart(go.Figure(go.Scatter(x=x, y=value * x**2)), key="chart")
