// The one header of xtensor-torch that includes xtensor: xtensor 0.26 moved every header into a folder
// (containers/, core/, views/, generators/, io/, misc/, ...); this picks the layout the installed xtensor has.
#ifndef XTENSOR_TORCH_DETAIL_XTENSOR_HPP
#define XTENSOR_TORCH_DETAIL_XTENSOR_HPP

/**
 * XTENSOR_TORCH_XTENSOR_HEADER(folder, name): the include path of xtensor's header `name` for either layout,
 * for code that must build against xtensor before and after 0.26.
 *
 * **Example**:  #include XTENSOR_TORCH_XTENSOR_HEADER(io, xio)   // "xtensor/io/xio.hpp" or "xtensor/xio.hpp"
 *
 * A string, not <...>: in a computed <...> include, the space after the comma would stay in the path.
 */
// Not formatted: spaces around the slashes would end up in the path.
// clang-format off
#define XTENSOR_TORCH_STRINGIFY_(text) #text
#define XTENSOR_TORCH_STRINGIFY(text) XTENSOR_TORCH_STRINGIFY_(text)
#if __has_include(<xtensor/containers/xarray.hpp>)
#define XTENSOR_TORCH_XTENSOR_HEADER(folder, name) XTENSOR_TORCH_STRINGIFY(xtensor/folder/name.hpp)
#else
#define XTENSOR_TORCH_XTENSOR_HEADER(folder, name) XTENSOR_TORCH_STRINGIFY(xtensor/name.hpp)
#endif
// clang-format on

// What the library uses, and what a user of its views and copies expects to have (xt::arange, xt::sum, ...).
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xadapt)
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xarray)
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xbuffer_adaptor)
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xstorage)
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xtensor)
#include XTENSOR_TORCH_XTENSOR_HEADER(core, xexpression)
#include XTENSOR_TORCH_XTENSOR_HEADER(core, xfunction)
#include XTENSOR_TORCH_XTENSOR_HEADER(core, xnoalias)
#include XTENSOR_TORCH_XTENSOR_HEADER(generators, xbuilder)
#include XTENSOR_TORCH_XTENSOR_HEADER(views, xstrided_view)
#include XTENSOR_TORCH_XTENSOR_HEADER(views, xview)

#endif
